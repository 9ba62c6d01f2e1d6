// bash and zsh completion scripts, generated from a CompletionSpec. Command names, flags and
// fixed values are written into the script (a Tab costs no Node start-up); namespaces and
// contexts come from `kdiag __complete namespaces|contexts`, run with the command line's
// --kubeconfig and --context. The logic lives in one function written in the shell syntax
// bash and zsh share; each shell gets a small wrapper around it.
import type { CommandSpec, CompletionSpec, FlagSpec } from './spec.js';

const q = (s: string) => `'${s}'`;

function flagWords(f: FlagSpec): string[] {
  return [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])];
}

/** `case` patterns for "<command> <flag>" over each command's flags that satisfy `pick`. */
function casePatterns(cmd: CommandSpec, flags: FlagSpec[]): string {
  return flags.flatMap((f) => flagWords(f).map((w) => q(`${cmd.id} ${w}`))).join('|');
}

function dataFunctions(spec: CompletionSpec): string {
  const ids = spec.commands.map((c) => c.id);
  const children = new Map<string, Set<string>>();
  for (const id of ids) {
    const words = id.split(' ');
    for (let i = 0; i < words.length; i++) {
      const parent = words.slice(0, i).join(' ');
      if (!children.has(parent)) children.set(parent, new Set());
      children.get(parent)!.add(words[i]!);
    }
  }
  // Topics (a word with subcommands) are commands too for the walk over the words.
  const walkable = [...new Set([...ids, ...[...children.keys()].filter((k) => k !== '')])].sort();
  const lines: string[] = [];
  lines.push('__kdiag_is_command() {', `  case "$1" in`, `    ${walkable.map(q).join('|')}) return 0 ;;`, '  esac', '  return 1', '}', '');
  lines.push('__kdiag_subcommands() {', '  case "$1" in');
  for (const [parent, words] of [...children.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`    ${q(parent)}) echo ${q([...words].sort().join(' '))} ;;`);
  }
  lines.push('  esac', '}', '');
  lines.push('__kdiag_flags() {', '  case "$1" in');
  for (const c of spec.commands) lines.push(`    ${q(c.id)}) echo ${q(c.flags.flatMap((f) => `--${f.name}`).join(' '))} ;;`);
  lines.push(`    '') echo '--help --version' ;;`, '  esac', '}', '');
  lines.push('__kdiag_takes_value() {', '  case "$1 $2" in');
  for (const c of spec.commands) {
    const valued = c.flags.filter((f) => f.takesValue);
    if (valued.length) lines.push(`    ${casePatterns(c, valued)}) return 0 ;;`);
  }
  lines.push('  esac', '  return 1', '}', '');
  lines.push('# Prints the values of a flag, or namespaces/contexts/files for values found at run time.', '__kdiag_flag_values() {', '  case "$1 $2" in');
  for (const c of spec.commands) {
    for (const kind of ['namespaces', 'contexts', 'files'] as const) {
      const flags = c.flags.filter((f) => f.dynamic === kind);
      if (flags.length) lines.push(`    ${casePatterns(c, flags)}) echo __${kind}__ ;;`);
    }
    for (const f of c.flags.filter((x) => x.values?.length && !x.dynamic)) lines.push(`    ${casePatterns(c, [f])}) echo ${q(f.values!.join(' '))} ;;`);
  }
  lines.push('  esac', '}', '');
  lines.push('__kdiag_arg_values() {', '  case "$1" in');
  for (const c of spec.commands.filter((x) => x.argValues?.length)) lines.push(`    ${q(c.id)}) echo ${q(c.argValues!.join(' '))} ;;`);
  lines.push('  esac', '}', '');
  return lines.join('\n');
}

/** The shared logic: candidates for word number $1 (0 = the program) of the words after it. */
const CORE = `# Prints the candidates for word number $1 (0 is the program) of the words that follow,
# separated by blanks; "__files__" asks the shell for file names.
__kdiag_candidates() {
  if [ -n "\${ZSH_VERSION:-}" ]; then emulate -L sh; fi
  local cword=$1 i=0 w prog="" cmd="" cur="" pending="" npos=0 kubeconfig="" context="" flag="" kind=""
  shift
  for w in "$@"; do
    if [ "$i" -eq 0 ]; then
      prog=$w
    elif [ "$i" -eq "$cword" ]; then
      cur=$w
      break
    elif [ -n "$pending" ]; then
      case "$pending" in
        --kubeconfig) kubeconfig=$w ;;
        --context) context=$w ;;
      esac
      pending=""
    else
      case "$w" in
        --kubeconfig=*) kubeconfig=\${w#*=} ;;
        --context=*) context=\${w#*=} ;;
        -*=*) ;;
        -*) if __kdiag_takes_value "$cmd" "$w"; then pending=$w; fi ;;
        *)
          if __kdiag_is_command "\${cmd:+$cmd }$w"; then cmd="\${cmd:+$cmd }$w"; else npos=$((npos + 1)); fi
          ;;
      esac
    fi
    i=$((i + 1))
  done
  if [ -n "$pending" ]; then
    flag=$pending
  else
    case "$cur" in
      -*=*) flag=\${cur%%=*} ;;
    esac
  fi
  if [ -n "$flag" ]; then
    kind=$(__kdiag_flag_values "$cmd" "$flag")
    case "$kind" in
      __namespaces__ | __contexts__)
        kind=\${kind#__}
        "$prog" __complete "\${kind%__}" \${kubeconfig:+"--kubeconfig=$kubeconfig"} \${context:+"--context=$context"} 2>/dev/null
        ;;
      *) echo "$kind" ;;
    esac
    return 0
  fi
  case "$cur" in
    -*) __kdiag_flags "$cmd" ;;
    *)
      __kdiag_subcommands "$cmd"
      if [ -n "$cmd" ] && [ "$npos" -eq 0 ]; then __kdiag_arg_values "$cmd"; fi
      ;;
  esac
}
`;

export function bashScript(spec: CompletionSpec): string {
  const bin = spec.bin;
  return `# bash completion for ${bin} (generated by \`${bin} completion bash\`).
# Load it in the current shell:   source <(${bin} completion bash)
# Or for every shell:             ${bin} completion bash > /etc/bash_completion.d/${bin}
#                            (or: ${bin} completion bash >> ~/.bashrc)

${dataFunctions(spec)}
${CORE}
_${fnName(bin)}() {
  local -a words=()
  local cword=0 i w joined=0 cur
  # bash splits "--namespace=prod" at "="; put such words back together.
  for ((i = 0; i < \${#COMP_WORDS[@]}; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == "=" && \${#words[@]} -gt 0 && \${words[\${#words[@]}-1]} == -* && \${words[\${#words[@]}-1]} != *=* ]]; then
      words[\${#words[@]}-1]+="="
      joined=1
    elif [[ $joined == 1 ]]; then
      words[\${#words[@]}-1]+=$w
      joined=0
    else
      words+=("$w")
    fi
    if ((i == COMP_CWORD)); then cword=$((\${#words[@]} - 1)); fi
  done
  cur=\${words[cword]:-}
  [[ $cur == -*=* ]] && cur=\${cur#*=}
  local candidates
  candidates=$(__kdiag_candidates "$cword" "\${words[@]}")
  if [[ $candidates == __files__ ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return 0
  fi
  # shellcheck disable=SC2086
  mapfile -t COMPREPLY < <(compgen -W "$candidates" -- "$cur")
}

complete -F _${fnName(bin)} ${bin}
`;
}

export function zshScript(spec: CompletionSpec): string {
  const bin = spec.bin;
  const fn = `_${fnName(bin)}`;
  return `#compdef ${bin}
# zsh completion for ${bin} (generated by \`${bin} completion zsh\`).
# Load it in the current shell (after compinit):   source <(${bin} completion zsh)
# Or for every shell: ${bin} completion zsh > "\${fpath[1]}/_${bin}"

${dataFunctions(spec)}
${CORE}
${fn}() {
  local -a candidates
  candidates=(\${=$(__kdiag_candidates $((CURRENT - 1)) "\${words[@]}")})
  if [[ \${words[CURRENT]} == -*=* ]]; then compset -P '*='; fi
  if [[ \${candidates[1]} == __files__ ]]; then
    _files
    return
  fi
  compadd -- "\${candidates[@]}"
}

if [ "$funcstack[1]" = "${fn}" ]; then
  ${fn} "$@"
else
  compdef ${fn} ${bin}
fi
`;
}

/**
 * \`kubectl_complete-kdiag\`: kubectl (1.26 and later) runs it for \`kubectl kdiag <Tab>\` with
 * the words after "kdiag", the last one being completed, and reads candidates, one a line,
 * then ":" and a directive (4: no file names; 0: the shell's default, file names).
 */
export function kubectlPluginScript(spec: CompletionSpec): string {
  return `#!/usr/bin/env bash
# Completion of \`kubectl kdiag\` (generated by \`${spec.bin} completion kubectl-plugin\`).
# Put it on PATH next to kubectl-kdiag, executable:
#   ${spec.bin} completion kubectl-plugin > ~/.local/bin/kubectl_complete-kdiag
#   chmod +x ~/.local/bin/kubectl_complete-kdiag
# kubectl's own completion (kubectl completion bash|zsh) then completes kdiag's commands,
# flags and namespaces.

${dataFunctions(spec)}
${CORE}
# namespaces and contexts come from kubectl-kdiag itself.
candidates=$(__kdiag_candidates "$#" kubectl-kdiag "$@")
cur=\${!#}
prefix=""
if [[ $cur == -*=* ]]; then
  prefix=\${cur%%=*}=
  cur=\${cur#*=}
fi
if [[ $candidates == __files__ ]]; then
  echo ":0"
  exit 0
fi
while IFS= read -r word; do
  [[ -n $word ]] && printf '%s%s\\n' "$prefix" "$word"
done < <(compgen -W "$candidates" -- "$cur")
echo ":4"
`;
}

function fnName(bin: string): string {
  return bin.replace(/[^A-Za-z0-9_]/g, '_');
}
