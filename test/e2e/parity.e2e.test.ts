// One set of loaders and rules for every command, on the local cluster: over the scenario's
// namespaces (and all of them), the findings of `kdiag check` for each of its checks equal those
// of the per-area command that runs the same rules: `kdiag endpoints`, `kdiag services`,
// `kdiag ingress`, `kdiag gateway` and `kdiag netpol` (code, object, message and fix). The cluster
// keeps moving (Pods become Ready, other tests create and delete namespaces), so a mismatch is
// retried a few times before it counts.
import { runKdiag } from './support/cluster.js';

type F = { code: string; check: string; object: { kind: string; namespace?: string; name: string }; message: string; fix: string };

/** Each per-area command and the check of `kdiag check` that runs the same rules. */
const AREAS = [
  ['endpoints', 'endpoints'],
  ['services', 'service-types'],
  ['ingress', 'ingress'],
  ['gateway', 'gateway'],
  ['netpol', 'netpol'],
] as const;

async function findings(args: string[]): Promise<F[]> {
  const r = await runKdiag([...args, '-o', 'json']);
  if (r.code !== 0 && r.code !== 1) throw new Error(`kdiag ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { findings: F[] }).findings;
}

// Ages in messages ("created 40s ago", "3 minutes after creation") move between two runs.
const steady = (text: string) => text.replace(/\b\d+(s| minutes| hours| days)\b/g, 'N$1');
const keys = (list: readonly F[]) =>
  [...new Set(list.map((f) => `${f.code} ${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name}: ${steady(f.message)} || ${steady(f.fix)}`))].sort();

/** Per check id: check's findings and the per-area command's, as sorted keys. */
async function compare(scope: string[]): Promise<Record<string, { check: string[]; area: string[] }>> {
  const [check, ...areas] = await Promise.all([findings(['check', ...scope]), ...AREAS.map(([command]) => findings([command, ...scope]))]);
  return Object.fromEntries(
    AREAS.map(([, id], i) => [id, { check: keys(check.filter((f) => f.check === id)), area: keys(areas[i]!.filter((f) => f.check === id)) }]),
  );
}

const agree = (r: Record<string, { check: string[]; area: string[] }>) => Object.values(r).every((x) => JSON.stringify(x.check) === JSON.stringify(x.area));

describe('kdiag check and the per-area commands agree on the local cluster', () => {
  const scopes = [
    ['-n', 'production'],
    ['-n', 'auth-service'],
    ['-n', 'payment-service'],
    ['-n', 'ingress-nginx'],
    ['-n', 'reports'],
    ['-n', 'sandbox'],
    ['-n', 'edge'],
    ['-n', 'edge-gw'],
    ['-A'],
  ];
  for (const scope of scopes) {
    it(`same findings for ${scope.join(' ')}`, async () => {
      let last = await compare(scope);
      for (let attempt = 0; attempt < 3 && !agree(last); attempt++) {
        await new Promise((r) => setTimeout(r, 5000));
        last = await compare(scope);
      }
      for (const [id, { check, area }] of Object.entries(last)) expect({ id, findings: check }).toEqual({ id, findings: area });
    }, 300_000);
  }
});
