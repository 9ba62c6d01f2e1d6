// Commands as argument vectors, quoted for a POSIX shell. The part of the fix builder
// (src/report/fix.ts) that needs no YAML library, for code on a command's start-up path
// (probe hints of `kdiag dns` and `kdiag connectivity`).

export type Manifest = Record<string, unknown>;

/** A command as its argument vector; `stdin` is a manifest fed to it (kubectl apply -f -). */
export interface FixCommand {
  argv: string[];
  stdin?: Manifest;
}

/** A command from its arguments; objects become one JSON argument (a patch body). */
export function cmd(...args: readonly (string | number | object)[]): FixCommand {
  const argv = args.map((a) => (typeof a === 'string' ? a : typeof a === 'number' ? String(a) : JSON.stringify(a)));
  return { argv };
}

export function kubectl(...args: readonly (string | number | object)[]): FixCommand {
  return cmd('kubectl', ...args);
}

// Characters a terminal acts on or hides (C0/C1 controls, DEL, zero-width and bidi controls):
// inside a command they are written as $'\u…' escapes, so nothing is hidden and nothing is lost.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument quoted for a POSIX shell (bash's $'…' when it holds invisible characters). */
export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  if (!INVISIBLE.test(arg)) return `'${arg.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const ch of arg) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "'" || ch === '\\') out += `\\${ch}`;
    else if (INVISIBLE.test(ch)) out += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
