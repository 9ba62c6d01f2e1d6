// One set of loaders and rules for every command: for the same scope, `kdiag check` reports
// exactly the findings of `kdiag ingress` (its ingress check) and `kdiag gateway` (its gateway
// check). Over every fixture through the fake API, cluster-wide and per namespace.
import { describe, expect, it } from '@jest/globals';
import { certFor, tlsSecret } from '../checks/ingress-certs.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture, variant, type K8sObject } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';

const NOW = new Date();
const production = loadFixture('production.yaml');
const ingresses = loadFixture('ingress.yaml');
const gateway = loadFixture('gateway.yaml');
const kubeSystem = loadFixture('kube-system.yaml');
const ready = { conditions: [{ type: 'Ready', status: 'True' }] };

// What used to differ between the commands: a tls[] Secret of another type (read by name only
// by kdiag ingress) and cert-manager's objects (read only by kdiag ingress).
const extras: K8sObject[] = [
  tlsSecret('production', 'api-tls-secret', certFor(['api.example.com'], NOW, -30, 335.5), 'Opaque'),
  tlsSecret('production', 'www-tls', certFor(['www.example.com'], NOW, -30, 200.5)),
  tlsSecret('infra', 'api-gw-cert', certFor(['api.example.com'], NOW, -30, 200.5)),
  tlsSecret('infra', 'shop-gw-cert', certFor(['shop.example.com'], NOW, -400, -3.5)),
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name: 'letsencrypt-staging' },
    status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ErrRegisterACMEAccount' }] },
  },
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'www-tls', namespace: 'production' },
    spec: { secretName: 'www-tls' },
    status: ready,
  },
];
const annotate = (objects: readonly K8sObject[], name: string, annotations: Record<string, string>) =>
  objects.map((o) =>
    o.kind === 'Ingress' && o.metadata.name === name ? variant(o, (i: K8sObject) => Object.assign((i.metadata.annotations ??= {}), annotations)) : o,
  );
const annotated = annotate(annotate(ingresses, 'web-ingress', { 'cert-manager.io/cluster-issuer': 'letsencrypt-staging' }), 'api-ingress', {
  'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
});

const CLUSTERS: Record<string, { objects: K8sObject[]; scopes: string[][] }> = {
  'production, ingress, gateway and cert-manager': {
    objects: [...production, ...annotated, ...gateway, ...kubeSystem, ...extras],
    scopes: [['-A'], ['-n', 'production'], ['-n', 'infra'], ['-n', 'shared']],
  },
  trace: { objects: [...loadFixture('trace.yaml'), ...kubeSystem], scopes: [['-A'], ['-n', 'production']] },
};

type F = { code: string; check: string; severity: string; object: { kind: string; namespace?: string; name: string }; message: string };
const keys = (findings: readonly F[]) =>
  findings.map((f) => `${f.code} ${f.severity} ${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name}: ${f.message}`).sort();

async function json(args: string[]): Promise<{ findings: F[] }> {
  const { stdout, stderr } = await kdiag([...args, '-o', 'json', '--kubeconfig', testKubeconfig()]);
  if (!stdout.trim().startsWith('{')) throw new Error(`kdiag ${args.join(' ')}: ${stderr || stdout}`);
  return JSON.parse(stdout);
}

describe('kdiag check and the per-area commands report the same findings', () => {
  for (const [name, { objects, scopes }] of Object.entries(CLUSTERS)) {
    for (const scope of scopes) {
      it(`${name}, ${scope.join(' ')}`, async () => {
        fakeApi(objects);
        const check = await json(['check', ...scope]);
        const ingress = await json(['ingress', ...scope]);
        const gw = await json(['gateway', ...scope]);
        expect(keys(check.findings.filter((f) => f.check === 'ingress'))).toEqual(keys(ingress.findings));
        expect(keys(check.findings.filter((f) => f.check === 'gateway'))).toEqual(keys(gw.findings));
      }, 60_000);
    }
  }

  it('the parity cases exercise what used to differ (KD3021 for a Secret of another type, cert-manager codes)', async () => {
    fakeApi(CLUSTERS['production, ingress, gateway and cert-manager']!.objects);
    const check = await json(['check', '-n', 'production']);
    const codes = new Set(check.findings.map((f) => f.code));
    for (const code of ['KD3021', 'KD3031', 'KD3032', 'KD7018', 'KD7030']) expect([...codes]).toContain(code);
    expect([...codes]).not.toContain('KD3020');
  }, 60_000);
});
