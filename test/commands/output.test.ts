// Table output on a big cluster, through the commands against the fake API: hundreds of the
// same finding become one entry, a summary comes first and last, JSON keeps every finding;
// and mistyped names get the nearest existing ones.
import { describe, expect, it } from '@jest/globals';
import { expectValidReport } from '../support/contract.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture, type K8sObject } from '../support/fixtures.js';
import { fakeApiServer } from '../support/fake-api-server.js';
import { kdiag, kdiagBinary } from '../support/run.js';

const NAMESPACES = 24;
const SERVICES_PER_NAMESPACE = 15;

/** 24 namespaces × 15 Services whose selector matches no pod, plus 24 NodePort Services outside dev/test. */
function bigCluster(): K8sObject[] {
  const objects: K8sObject[] = [...loadFixture('kube-system.yaml')];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `team-${String(n).padStart(2, '0')}`;
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (let s = 0; s < SERVICES_PER_NAMESPACE; s++) {
      const name = `svc-${String(n * 100 + s).padStart(4, '0')}`;
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns },
        spec: { type: 'ClusterIP', clusterIP: `10.96.${n}.${s + 10}`, selector: { app: name }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
      });
    }
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace: ns },
      spec: { type: 'NodePort', clusterIP: `10.96.${n}.200`, ports: [{ port: 80, targetPort: 8080, nodePort: 30000 + n, protocol: 'TCP' }] },
    });
  }
  return objects;
}

describe('table output on a big cluster (against a fake API)', () => {
  it('kdiag check -A: summary first and last, repeated findings as one entry, every finding in -o json', async () => {
    const objects = bigCluster();
    fakeApi(objects);
    const json = await kdiag(['check', '-A', '--only', 'endpoints,service-types', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    const report = JSON.parse(json.stdout);
    expectValidReport(report);
    const noPod = report.findings.filter((f: { code: string }) => f.code === 'KD1001');
    expect(noPod).toHaveLength(NAMESPACES * SERVICES_PER_NAMESPACE);

    fakeApi(objects);
    const table = await kdiag(['check', '-A', '--only', 'endpoints,service-types', '--kubeconfig', testKubeconfig()]);
    expect(table.code).toBe(1);
    const lines = table.stdout.split('\n');
    expect(lines.length).toBeLessThan(80);
    expect(table.stdout).toMatch(/^SUMMARY: \d+ errors, \d+ warnings?, \d+ info \(\d+ findings in \d+ entries\)$/m);
    expect(table.stdout).toMatch(/^NAMESPACE\s+ERRORS\s+WARNINGS\s+INFO$/m);
    expect(table.stdout).toMatch(/^\(20 more namespaces\)\s+\d+\s+\d+\s+\d+$/m);
    expect(table.stdout).toContain(`ERROR   KD1001  ${noPod.length} Services: Service selector matches no Pod`);
    expect(table.stdout).toContain(
      '          objects: team-00/svc-0000, team-00/svc-0001, team-00/svc-0002, team-00/svc-0003, team-00/svc-0004 and 355 more (--all-objects lists them)',
    );
    expect(table.stdout).toMatch(/^ {10}cause: \(e\.g\. Service team-00\/svc-0000\) No Pod in namespace team-00 has the labels app=svc-0000/m);
    expect(table.stdout).toMatch(/SUMMARY \(again\)[\s\S]*^CHECK\s+ERRORS\s+WARNINGS\s+INFO$/m);
    expect(lines.filter((l) => l !== '').at(-1)).toMatch(/^\d+ error\(s\), \d+ warning\(s\), \d+ info$/);
  });

  it('lists every object with --all-objects or -o wide, and cuts at --max-findings', async () => {
    const objects = bigCluster();
    fakeApi(objects);
    const all = await kdiag(['endpoints', '-A', '--all-objects', '--kubeconfig', testKubeconfig()]);
    const findings = all.stdout.slice(all.stdout.indexOf('KD1001  360 Services'));
    for (let n = 0; n < NAMESPACES; n++) expect(findings).toContain(`team-${String(n).padStart(2, '0')}/svc-${String(n * 100 + 14).padStart(4, '0')}`);
    fakeApi(objects);
    const wide = await kdiag(['endpoints', '-A', '-o', 'wide', '--kubeconfig', testKubeconfig()]);
    expect(wide.stdout).not.toContain('and 355 more');

    fakeApi(objects);
    const cut = await kdiag(['endpoints', '-A', '--max-findings', '1', '--kubeconfig', testKubeconfig()]);
    expect(cut.stdout).toMatch(/^\.\.\. \d+ more entr(y|ies) \(.*\) not shown: --max-findings 0 shows every entry, -o json every finding\.$/m);
  });
});

describe('a report larger than a pipe buffer', () => {
  it('reaches the reader whole before the binary exits 1 (oclif ends the process at once on exit)', async () => {
    const server = await fakeApiServer(bigCluster());
    try {
      const r = await kdiagBinary(['endpoints', '-A', '-o', 'json', '--kubeconfig', server.kubeconfig]);
      expect(r.code).toBe(1);
      expect(r.stdout.length).toBeGreaterThan(4 * 65536);
      const report = JSON.parse(r.stdout) as { findings: { code: string }[] };
      expect(report.findings.filter((f) => f.code === 'KD1001')).toHaveLength(NAMESPACES * SERVICES_PER_NAMESPACE);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('did you mean', () => {
  const checkout: K8sObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'checkout' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'production' } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace: 'checkout' },
      spec: { clusterIP: '10.96.0.20', selector: { app: 'cart' }, ports: [{ port: 80 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'payments', namespace: 'checkout' },
      spec: { clusterIP: '10.96.0.21', selector: { app: 'payments' }, ports: [{ port: 80 }] },
    },
  ];

  it('names the nearest Service for a mistyped one', async () => {
    fakeApi(checkout);
    const r = await kdiag(['endpoints', 'crat', '-n', 'checkout', '--kubeconfig', testKubeconfig()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('kdiag: Service crat not found in namespace checkout; did you mean cart?');
  });

  it('names the nearest namespace for a mistyped one', async () => {
    fakeApi(checkout);
    const r = await kdiag(['endpoints', '-n', 'chekout', '--kubeconfig', testKubeconfig()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('kdiag: namespace chekout not found; did you mean checkout?');
  });

  it('names the nearest pod and Service in netpol explain', async () => {
    const guide = loadFixture('netpol-guide.yaml');
    fakeApi(guide);
    const pod = await kdiag([
      'netpol',
      'explain',
      '--from',
      'production/api-server-7d9f-c',
      '--to',
      'auth-service/auth-api-77-a',
      '--port',
      '80',
      '--kubeconfig',
      testKubeconfig(),
    ]);
    expect(pod.stderr.trim()).toBe('kdiag: pod production/api-server-7d9f-c not found; did you mean api-server-7d9f-a or api-server-7d9f-b?');
    fakeApi(guide);
    const svc = await kdiag([
      'netpol',
      'explain',
      '--from',
      'production/api-server-7d9f-a',
      '--to',
      'auth-service/svc/auth-servce',
      '--port',
      '80',
      '--kubeconfig',
      testKubeconfig(),
    ]);
    expect(svc.stderr.trim()).toBe('kdiag: Service auth-service/auth-servce not found; did you mean auth-service?');
  });
});
