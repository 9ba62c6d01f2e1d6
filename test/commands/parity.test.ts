// One set of loaders and rules for every command: for the same scope, `kdiag check` reports
// exactly the findings of each per-area command: `kdiag endpoints` (its endpoints check),
// `kdiag services` (service-types), `kdiag ingress`, `kdiag gateway` and `kdiag netpol` (the
// lint findings). Over every fixture through the fake API, cluster-wide and per namespace,
// comparing the whole finding: code, severity, object, message, cause, fix and remediation.
import { describe, expect, it } from '@jest/globals';
import { certFor, tlsSecret } from '../checks/ingress-certs.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture, variant, type K8sObject } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';
import { fakeCluster } from '../terminal/support.js';

const NOW = new Date();
const production = loadFixture('production.yaml');
const ingresses = loadFixture('ingress.yaml');
const gateway = loadFixture('gateway.yaml');
const kubeSystem = loadFixture('kube-system.yaml');
const trace = [...loadFixture('trace.yaml'), ...kubeSystem];
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

// A peer in another namespace that matches no pod (KD4005): judged only with that namespace's pods.
const peerElsewhere: K8sObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'from-payment-worker', namespace: 'reports' },
  spec: {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payment-service' } }, podSelector: { matchLabels: { app: 'payment-worker' } } },
        ],
      },
    ],
  },
};

// Every fixture at once, as the terminal screens show it (test/terminal/support.ts).
const screens = fakeCluster();

const CLUSTERS: Record<string, { objects: K8sObject[]; scopes: string[][] }> = {
  'production, ingress, gateway and cert-manager': {
    objects: [...production, ...annotated, ...gateway, ...kubeSystem, ...extras],
    scopes: [['-A'], ['-n', 'production'], ['-n', 'infra'], ['-n', 'shared']],
  },
  trace: { objects: trace, scopes: [['-A'], ['-n', 'production']] },
  'every fixture at once': { objects: screens, scopes: [['-A'], ['-n', 'production'], ['-n', 'ingress-nginx']] },
  // Policies whose peers, DNS, Ingress controller and network plugin live in other namespaces.
  'the NetworkPolicy guide and its faults': {
    objects: [...loadFixture('netpol-guide.yaml'), ...loadFixture('netpol-faults.yaml'), peerElsewhere],
    scopes: [['-A'], ['-n', 'production'], ['-n', 'auth-service'], ['-n', 'payment-service'], ['-n', 'reports'], ['-n', 'sandbox']],
  },
};

/** Each per-area command and the check of `kdiag check` that runs the same rules. */
const AREAS = [
  ['endpoints', 'endpoints'],
  ['services', 'service-types'],
  ['ingress', 'ingress'],
  ['gateway', 'gateway'],
  ['netpol', 'netpol'],
] as const;

type F = {
  code: string;
  check: string;
  severity: string;
  object: { kind: string; namespace?: string; name: string };
  message: string;
  cause: string;
  fix: string;
  remediation?: unknown;
};
// Ages are measured against the clock of each run: two runs a minute apart differ by one
// ("490445 minutes after creation"), which is not a disagreement between the commands.
const AGE = /\b\d+(\.\d+)? ?(minutes?|hours?|days?|d|h|m|s)( after| ago)\b/g;
const keys = (findings: readonly F[]) =>
  findings
    .map((f) =>
      JSON.stringify([f.code, f.severity, f.object.kind, f.object.namespace ?? '', f.object.name, f.message, f.cause, f.fix, f.remediation ?? null]).replace(
        AGE,
        'N $2$3',
      ),
    )
    .sort();

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
        for (const [command, id] of AREAS) {
          const area = await json([command, ...scope]);
          // Nothing but its own rules' findings (permission lines aside: none here, every list is allowed).
          expect({ command, others: area.findings.filter((f) => f.check !== id) }).toEqual({ command, others: [] });
          expect({ command, findings: keys(check.findings.filter((f) => f.check === id)) }).toEqual({ command, findings: keys(area.findings) });
        }
      }, 120_000);
    }
  }

  // Per-area flags are the intended differences: each narrows or tunes what check also reports.
  it('a per-area argument narrows to one object: kdiag endpoints SERVICE reports what check reports for that Service', async () => {
    fakeApi(trace);
    const check = await json(['check', '-n', 'production']);
    const one = await json(['endpoints', 'api-v2-service', '-n', 'production']);
    expect(one.findings.length).toBeGreaterThan(0);
    expect(keys(one.findings)).toEqual(keys(check.findings.filter((f) => f.check === 'endpoints' && f.object.name === 'api-v2-service')));
  }, 60_000);

  it('--cert-warn-days, a flag of both kdiag check and kdiag ingress, gives the same findings', async () => {
    fakeApi(CLUSTERS['production, ingress, gateway and cert-manager']!.objects);
    const check = await json(['check', '-n', 'production', '--cert-warn-days', '250']);
    const ingress = await json(['ingress', '-n', 'production', '--cert-warn-days', '250']);
    expect(ingress.findings.map((f) => f.code)).toContain('KD3025');
    expect(keys(check.findings.filter((f) => f.check === 'ingress'))).toEqual(keys(ingress.findings));
  }, 60_000);

  it("a user who may read one namespace: the same rule findings, and every part a per-area command left out is in check's line for that permission", async () => {
    for (const command of ['services', 'netpol', 'endpoints'] as const) {
      const id = AREAS.find(([c]) => c === command)![1];
      fakeApi(trace, { namespaceOnly: 'production' });
      const check = await json(['check', '-n', 'production']);
      const area = await json([command, '-n', 'production']);
      expect({ command, findings: keys(check.findings.filter((f) => f.check === id)) }).toEqual({
        command,
        findings: keys(area.findings.filter((f) => f.check === id)),
      });
      const lines = check.findings.filter((f) => f.code === 'KD6006');
      for (const part of area.findings.filter((f) => f.code === 'KD6006')) {
        const same = lines.find((l) => l.object.name === part.object.name);
        expect({ command, line: part.object.name, found: Boolean(same) }).toEqual({ command, line: part.object.name, found: true });
        // `… not checked: netpol: pods of other namespaces …` is one part of check's line.
        expect(same!.message).toContain(part.message.slice(part.message.indexOf('not checked: ') + 'not checked: '.length));
      }
    }
  }, 120_000);

  it('the parity cases exercise what used to differ (KD3021 for a Secret of another type, cert-manager codes)', async () => {
    fakeApi(CLUSTERS['production, ingress, gateway and cert-manager']!.objects);
    const check = await json(['check', '-n', 'production']);
    const codes = new Set(check.findings.map((f) => f.code));
    for (const code of ['KD3021', 'KD3031', 'KD3032', 'KD7018', 'KD7030']) expect([...codes]).toContain(code);
    expect([...codes]).not.toContain('KD3020');
  }, 60_000);

  it('…and what the netpol check used to miss with -n: peers, the Ingress controller and the network plugin in other namespaces', async () => {
    const netpol = async (objects: K8sObject[], namespace: string) => {
      fakeApi(objects);
      return (await json(['check', '-n', namespace, '--only', 'netpol'])).findings.map((f) => `${f.code} ${f.object.namespace ?? ''}/${f.object.name}`);
    };
    // The peer's namespace is payment-service: its pods are read although the scope is reports.
    expect(await netpol(CLUSTERS['the NetworkPolicy guide and its faults']!.objects, 'reports')).toContain('KD4005 reports/from-payment-worker');
    // No known plugin runs in kube-system (outside the scope).
    expect(await netpol(trace, 'production')).toContain('KD4011 /network plugin');
    // The Ingress controller runs in ingress-nginx, denied by production's default-deny-ingress.
    expect(await netpol(screens, 'production')).toContain('KD4009 production/shop-ingress');
  }, 60_000);
});
