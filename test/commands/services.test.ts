import { describe, expect, it } from '@jest/globals';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const production = loadFixture('production.yaml');

describe('kdiag services (against a fake API)', () => {
  it("prints the Service table with each Service's findings and exits 1 on the pending LoadBalancer", async () => {
    fakeApi(production);
    const { stdout, code } = await kdiag(['services', '-n', 'production', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+SERVICE\s+TYPE\s+CLUSTER-IP\s+EXTERNAL\s+PORTS\s+FINDINGS$/);
    expect(lines.find((l) => / public-lb /.test(l))).toMatch(/^production\s+public-lb\s+LoadBalancer\s+10\.96\.10\.12\s+<pending>\s+443:31443\/TCP\s+KD2002$/);
    expect(lines.find((l) => / web-nodeport /.test(l))).toMatch(/^production\s+web-nodeport\s+NodePort\s+10\.96\.10\.11\s+<none>\s+80:30080\/TCP\s+KD2001$/);
    expect(lines.find((l) => / external-db /.test(l))).toMatch(/^production\s+external-db\s+ExternalName\s+<none>\s+db\.internal\.example\s+<none>\s+-$/);
    expect(stdout).toContain('ERROR   KD2002  Service production/public-lb: LoadBalancer has no external address (pending)');
    expect(stdout).toContain('WARNING KD2001  Service production/web-nodeport: NodePort Service in namespace production');
  });

  it('returns the shared JSON contract and YAML with the same content', async () => {
    fakeApi(production);
    const json = await kdiag(['services', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ apiVersion: 'kdiag/v1', kind: 'ServicesReport', namespace: 'production' });
    expect(report.findings.map((f: { code: string }) => f.code).sort()).toEqual(['KD2001', 'KD2002', 'KD2005']);
    const yaml = await kdiag(['services', '-n', 'production', '-o', 'yaml', '--kubeconfig', testKubeconfig()]);
    expect(yaml.stdout).toMatch(/^apiVersion: kdiag\/v1\nkind: ServicesReport\n/);
    expect(yaml.code).toBe(1);
  });

  it('--fail-on sets the exit code; --no-headers drops the header', async () => {
    const calm = production.filter((o) => o.metadata.name !== 'public-lb');
    fakeApi(calm);
    expect((await kdiag(['services', '-n', 'production', '--kubeconfig', testKubeconfig()])).code).toBe(0);
    const strict = await kdiag(['services', '-n', 'production', '--fail-on', 'warning', '--no-headers', '--kubeconfig', testKubeconfig()]);
    expect(strict.code).toBe(1);
    expect(strict.stdout.split('\n')[0]).not.toMatch(/^NAMESPACE/);
  });

  it('-o wide adds the traffic policy column', async () => {
    fakeApi(production);
    const { stdout } = await kdiag(['services', '-n', 'production', '-o', 'wide', '--kubeconfig', testKubeconfig()]);
    expect(stdout.split('\n')[0]).toMatch(/FINDINGS\s+TRAFFIC-POLICY$/);
    expect(stdout.split('\n').find((l) => / public-lb /.test(l))).toMatch(/KD2002\s+Local$/);
  });
});
