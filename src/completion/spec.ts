// What shell completion knows about kdiag: command names, their flags, the values a flag
// or argument takes. Built from oclif's command list (the manifest: no command is loaded).

/** Values completed at run time by `kdiag __complete <kind>` or by the shell. */
export type Dynamic = 'namespaces' | 'contexts' | 'files';

export interface FlagSpec {
  name: string;
  char?: string;
  /** The flag takes a value (`--output json`), as opposed to a switch (`-A`). */
  takesValue: boolean;
  values?: string[];
  dynamic?: Dynamic;
}

export interface CommandSpec {
  /** Words of the command, space-separated: `netpol explain`. */
  id: string;
  summary: string;
  flags: FlagSpec[];
  /** Values of the first argument (e.g. the finding codes of `docs`). */
  argValues?: string[];
}

export interface CompletionSpec {
  bin: string;
  commands: CommandSpec[];
}

/** The parts of an oclif command (from the manifest) completion needs. */
export interface CommandLike {
  id: string;
  hidden?: boolean;
  summary?: string;
  description?: string;
  flags: Record<string, { name: string; char?: string; type: string; options?: readonly string[]; hidden?: boolean }>;
  args: Record<string, { options?: readonly string[] }>;
  extraOutputs?: readonly string[];
}

const DYNAMIC: Record<string, Dynamic> = { namespace: 'namespaces', context: 'contexts', kubeconfig: 'files', config: 'files' };
const BASE_OUTPUTS = ['table', 'wide', 'json', 'yaml'];
/** Words the generated scripts embed must need no quoting. */
const SAFE = /^[A-Za-z0-9_.:/@+-]+$/;

export function completionSpec(bin: string, commands: readonly CommandLike[], argValues: Record<string, string[]> = {}): CompletionSpec {
  const specs = commands
    .filter((c) => !c.hidden && SAFE.test(c.id))
    .map((c): CommandSpec => {
      const flags = Object.values(c.flags)
        .filter((f) => !f.hidden && SAFE.test(f.name))
        .map((f): FlagSpec => {
          const takesValue = f.type === 'option';
          let values = f.options ? [...f.options] : undefined;
          if (!values && f.name === 'output') values = [...BASE_OUTPUTS, ...(c.extraOutputs ?? [])];
          return {
            name: f.name,
            ...(f.char ? { char: f.char } : {}),
            takesValue,
            ...(takesValue && values ? { values: values.filter((v) => SAFE.test(v)) } : {}),
            ...(takesValue && DYNAMIC[f.name] ? { dynamic: DYNAMIC[f.name] } : {}),
          };
        });
      flags.push({ name: 'help', takesValue: false });
      const id = c.id.replace(/:/g, ' ');
      const firstArg = Object.values(c.args)[0];
      const values = argValues[id] ?? (firstArg?.options ? [...firstArg.options] : undefined);
      return { id, summary: (c.summary ?? c.description ?? '').split('\n')[0]!, flags, ...(values ? { argValues: values.filter((v) => SAFE.test(v)) } : {}) };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  return { bin, commands: specs };
}
