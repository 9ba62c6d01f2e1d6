// Table output on a cluster with many repeated findings, through the real binary on the local
// cluster: a scale-mode-like load of our own (generated Services across namespaces, every one
// selecting no pod, a NodePort Service per namespace), so the test does not depend on, or
// disturb, a scale load another run may have on the shared cluster. The 1× scale load itself is
// measured by hand (README "Big clusters"), it takes minutes to load.
import { apply, deleteNamespace, kubectl, runKdiag } from './support/cluster.js';

const PREFIX = 'kdiag-e2e-output';
const NAMESPACES = 4;
const SERVICES = 40;
const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `${PREFIX}-${i}`);

interface Finding {
  code: string;
  object: { kind: string; namespace?: string; name: string };
}

function manifest(): string {
  const items: object[] = [];
  for (const ns of namespaces) {
    items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (let s = 0; s < SERVICES; s++) {
      const name = `svc-${String(s).padStart(5, '0')}`;
      items.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns },
        spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
      });
    }
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace: ns },
      spec: { type: 'NodePort', selector: { app: 'cart' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
  }
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

describe('grouped table output on the local cluster', () => {
  beforeAll(async () => {
    await apply(manifest(), { timeoutMs: 180_000 });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(namespaces.map((ns) => deleteNamespace(ns)));
  }, 240_000);

  test('check -A: a summary first and last, the repeated findings as one entry, well under 200 lines; -o json keeps every finding', async () => {
    const json = await runKdiag(['check', '-A', '--only', 'endpoints,service-types', '-o', 'json']);
    expect([0, 1]).toContain(json.code);
    const findings = (JSON.parse(json.stdout) as { findings: Finding[] }).findings;
    const ours = findings.filter((f) => f.object.namespace?.startsWith(PREFIX));
    const noPod = ours.filter((f) => f.code === 'KD1001');
    expect(noPod).toHaveLength(NAMESPACES * (SERVICES + 1));

    const table = await runKdiag(['check', '-A', '--only', 'endpoints,service-types']);
    expect(table.code).toBe(json.code);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThan(200);
    expect(lines.length).toBeLessThan(findings.length);
    expect(table.stdout).toMatch(/^SUMMARY: \d+ errors?, \d+ warnings?, \d+ info \(\d+ findings in \d+ entr(y|ies)\)$/m);
    expect(table.stdout).toMatch(/^SUMMARY \(again\)/m);
    // Our 164 Services that select no pod are one entry (other tests' Services may join it).
    const entries = [...table.stdout.matchAll(/^ERROR {3}KD1001 {2}(\d+) Services: .*\n {10}objects: (.*)$/gm)].filter((e) => e[2]!.includes(PREFIX));
    // Our generated Services are one entry (the 'cart' ones, named without digits, another).
    const counts = entries.map((e) => Number(e[1]));
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(NAMESPACES * SERVICES);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(noPod.length);
    expect(entries.find((e) => Number(e[1]) >= NAMESPACES * SERVICES)![2]).toMatch(/and \d+ more \(--all-objects lists them\)$/);
    expect(lines.at(-1)).toMatch(/^\d+ error\(s\), \d+ warning\(s\), \d+ info$/);
  }, 240_000);

  test('a mistyped Service or namespace gets the nearest names', async () => {
    const svc = await runKdiag(['endpoints', 'svc-0001', '-n', namespaces[0]!]);
    expect(svc.code).toBe(2);
    expect(svc.stderr.trim()).toMatch(
      new RegExp(`^kdiag: Service svc-0001 not found in namespace ${namespaces[0]}; did you mean svc-00001(, svc-\\d+)* or svc-\\d+\\?$`),
    );
    const typo = 'kdiag-e2e-outpt-1';
    expect((await kubectl(['get', 'namespace', typo])).code).not.toBe(0);
    const ns = await runKdiag(['endpoints', '-n', typo]);
    expect(ns.code).toBe(2);
    expect(ns.stderr.trim()).toMatch(new RegExp(`^kdiag: namespace ${typo} not found; did you mean ${PREFIX}-1(, ${PREFIX}-\\d)* or ${PREFIX}-\\d\\?$`));
  }, 120_000);
});
