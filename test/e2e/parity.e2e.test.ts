// One set of loaders and rules for every command, on the local cluster: over the scenario's
// namespaces (and all of them), the (code, object) pairs of `kdiag check` restricted to its
// ingress and gateway checks equal those of `kdiag ingress` and `kdiag gateway`. The cluster
// keeps moving (Pods become Ready), so a mismatch is retried a few times before it counts.
import { runKdiag } from './support/cluster.js';

type F = { code: string; check: string; object: { kind: string; namespace?: string; name: string } };

async function findings(args: string[]): Promise<F[]> {
  const r = await runKdiag([...args, '-o', 'json']);
  if (r.code !== 0 && r.code !== 1) throw new Error(`kdiag ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { findings: F[] }).findings;
}

const pairs = (list: readonly F[]) => [...new Set(list.map((f) => `${f.code} ${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name}`))].sort();

async function compare(scope: string[]): Promise<{ check: { ingress: string[]; gateway: string[] }; ingress: string[]; gateway: string[] }> {
  const [check, ingress, gateway] = await Promise.all([findings(['check', ...scope]), findings(['ingress', ...scope]), findings(['gateway', ...scope])]);
  return {
    check: { ingress: pairs(check.filter((f) => f.check === 'ingress')), gateway: pairs(check.filter((f) => f.check === 'gateway')) },
    ingress: pairs(ingress),
    gateway: pairs(gateway),
  };
}

describe('kdiag check and the per-area commands agree on the local cluster', () => {
  for (const scope of [['-n', 'production'], ['-n', 'auth-service'], ['-n', 'ingress-nginx'], ['-A']]) {
    it(`same findings for ${scope.join(' ')}`, async () => {
      let last = await compare(scope);
      for (
        let attempt = 0;
        attempt < 3 &&
        (JSON.stringify(last.check.ingress) !== JSON.stringify(last.ingress) || JSON.stringify(last.check.gateway) !== JSON.stringify(last.gateway));
        attempt++
      ) {
        await new Promise((r) => setTimeout(r, 5000));
        last = await compare(scope);
      }
      expect(last.check.ingress).toEqual(last.ingress);
      expect(last.check.gateway).toEqual(last.gateway);
    }, 240_000);
  }
});
