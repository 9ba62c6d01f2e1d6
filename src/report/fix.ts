// The one fix builder. A fix is prose with commands and manifests in it; every value that came
// from the cluster reaches the shell only as one quoted argument, and every manifest or patch is
// data serialised by a library, so a pasted fix runs exactly the argument vector kdiag meant,
// whatever an object's author wrote into a name, a label or an annotation.
//
//   fix`Point the Service at them: ${kubectl('-n', ns, 'patch', 'service', name, '-p', { spec: { selector } })}`
//
// renders the command quoted for a POSIX shell and records it, structured, in `remediation`.
import { DEFAULT_SCALAR_STYLE_RULES, dump, SCALAR_STYLE, type ScalarLayout } from 'js-yaml';
import { shellJoin, type FixCommand, type Manifest } from './shell.js';

export { cmd, kubectl, shellJoin, shellQuote, type FixCommand, type Manifest } from './shell.js';

/** The structured part of a fix, in the JSON contract beside the text. */
export interface Remediation {
  commands: FixCommand[];
  manifests: Manifest[];
}

/** What a rule hands to `finding()`: the text a person reads and the data behind it. */
export interface FixSpec {
  text: string;
  remediation?: Remediation;
}

interface ManifestPart {
  manifest: Manifest;
}

type Part = string | number | FixCommand | ManifestPart;

/** `kubectl apply -f -` fed with the manifest on standard input (rendered as a here-document). */
export function kubectlApply(manifest: Manifest, ...flags: string[]): FixCommand {
  return { argv: ['kubectl', 'apply', ...flags, '-f', '-'], stdin: manifest };
}

/** A manifest to show (and to merge into an object by hand), serialised as YAML. */
export function manifest(obj: Manifest): ManifestPart {
  return { manifest: obj };
}

function isCommand(p: Part): p is FixCommand {
  return typeof p === 'object' && p !== null && 'argv' in p;
}

function isManifest(p: Part): p is ManifestPart {
  return typeof p === 'object' && p !== null && 'manifest' in p;
}

// Characters YAML leaves raw in its output although a terminal hides or reorders text with them.
const HIDDEN = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]/;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'g');

/** A scalar holding a hidden character is double-quoted, so the character can be written as an escape. */
function doubleQuoteHidden(layout: ScalarLayout): void {
  if (layout.style === SCALAR_STYLE.PLAIN && HIDDEN.test(layout.node.value)) layout.style = SCALAR_STYLE.DOUBLE_QUOTED;
}

/**
 * YAML for kubectl: js-yaml quotes strings that YAML 1.1 readers would take
 * for booleans or numbers ("true", "no", "0x1", "~"), so a label value stays a string;
 * sequences are not indented under their key (kubectl's own style); control characters
 * are escaped by js-yaml, bidi and zero-width characters here (only double-quoted scalars hold them).
 */
export function toYaml(obj: Manifest): string {
  const text = dump(obj, {
    noRefs: true,
    lineWidth: -1,
    seqNoIndent: true,
    scalarStyleRules: [doubleQuoteHidden, ...Object.values(DEFAULT_SCALAR_STYLE_RULES)],
  });
  return text.replace(HIDDEN_ALL, (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** A here-document delimiter that no line of the body equals. */
function delimiter(body: string): string {
  const lines = new Set(body.split('\n'));
  let d = 'EOF';
  for (let i = 1; lines.has(d); i++) d = `EOF_${i}`;
  return d;
}

export function renderCommand(c: FixCommand): string {
  const line = shellJoin(c.argv);
  if (!c.stdin) return line;
  const body = toYaml(c.stdin);
  const d = delimiter(body);
  return `${line} <<'${d}'\n${body}${d}`;
}

function renderPart(p: Part): string {
  if (isCommand(p)) return renderCommand(p);
  if (isManifest(p)) return toYaml(p.manifest).trimEnd();
  return String(p);
}

/** Prose with commands and manifests in it (a tagged template): the text and its remediation. */
export function fix(strings: TemplateStringsArray, ...parts: readonly Part[]): FixSpec {
  let text = strings[0] ?? '';
  const commands: FixCommand[] = [];
  const manifests: Manifest[] = [];
  parts.forEach((p, i) => {
    if (isCommand(p)) commands.push({ argv: [...p.argv], ...(p.stdin ? { stdin: p.stdin } : {}) });
    else if (isManifest(p)) manifests.push(p.manifest);
    text += renderPart(p) + (strings[i + 1] ?? '');
  });
  return commands.length || manifests.length ? { text, remediation: { commands, manifests } } : { text };
}

/** Several fixes in one (e.g. one per denied flow), joined by a separator. */
export function joinFixes(specs: readonly FixSpec[], separator = '\n'): FixSpec {
  const commands = specs.flatMap((s) => s.remediation?.commands ?? []);
  const manifests = specs.flatMap((s) => s.remediation?.manifests ?? []);
  const text = specs.map((s) => s.text).join(separator);
  return commands.length || manifests.length ? { text, remediation: { commands, manifests } } : { text };
}

export function isFixSpec(v: unknown): v is FixSpec {
  return typeof v === 'object' && v !== null && 'text' in v;
}
