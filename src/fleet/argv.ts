// The argv of one context's run: the user's argv without the flags the fleet run handles itself
// (which contexts, where the output goes); the runner then adds `--context X -o json`.
const WITH_VALUE = new Set(['--context', '--output', '-o', '--output-file', '--pushgateway', '--metrics-label']);
const BOOLEAN = new Set(['--all-contexts', '--quiet', '-q']);

export function childArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (BOOLEAN.has(a)) continue;
    if (WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0 && WITH_VALUE.has(a.slice(0, eq))) continue;
    if (/^-o./.test(a)) continue; // -ojson
    out.push(a);
  }
  return out;
}
