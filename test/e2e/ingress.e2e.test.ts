// kdiag ingress against the local cluster: the guide's IngressClass (scenario) and
// Ingresses in a namespace of this test, with backends that have and lack ready endpoints,
// TLS Secrets made here with openssl (valid and expired; the keys exist only in memory
// and in the test namespace), and the address check before and after a status is written
// through the status subresource (an address of the node: only data, nothing connects).
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { certFor, makeCertificate, tlsSecret } from '../checks/ingress-certs.js';
import { kdiagBinary } from '../support/run.js';
import {
  apply,
  backendManifest,
  deleteNamespace,
  ensureNamespace,
  kubectl,
  kubectlJson,
  runKdiag,
  serviceAccountKubeconfig,
  waitForRollout,
} from './support/cluster.js';

const NS = 'kdiag-e2e-ingress';
const NOW = new Date();

type Finding = { code: string; severity: string; object: { name: string }; message: string; cause: string };
type Report = {
  findings: Finding[];
  ingresses: { name: string; address: string[]; status: string; tls: { summary: string }; backends: { ready: number; total: number } }[];
};

async function ingressJson(args: string[]): Promise<{ code: number; report: Report }> {
  const r = await runKdiag(['ingress', ...args, '-o', 'json']);
  if (r.code !== 0 && r.code !== 1) throw new Error(`kdiag ingress failed (${r.code}): ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

function ingress(
  name: string,
  host: string,
  paths: [string, string][],
  secretName?: string,
  className = 'nginx',
  annotations: Record<string, string> = {},
): string {
  return JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: NS, annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true', ...annotations } },
    spec: {
      ingressClassName: className,
      ...(secretName ? { tls: [{ hosts: [host], secretName }] } : {}),
      rules: [
        {
          host,
          http: {
            paths: paths.map(([path, svc]) => {
              const [service, port] = svc.split(':');
              return { path, pathType: 'Prefix', backend: { service: { name: service, port: { number: Number(port ?? 80) } } } };
            }),
          },
        },
      ],
    },
  });
}

let nodeIP = '';

beforeAll(async () => {
  // A previous run's namespace may still be terminating: wait for it to go first.
  await deleteNamespace(NS, true);
  await ensureNamespace(NS);
  await apply(`${backendManifest({ namespace: NS, name: 'web', answerAs: 'e2e-web', targetPort: 8080 })}---
apiVersion: v1
kind: Service
metadata: {name: api-v2-service, namespace: ${NS}}
spec:
  selector: {app: api-v2}
  ports: [{port: 80, targetPort: 8080}]
`);
  await apply(JSON.stringify(tlsSecret(NS, 'api-tls-secret', certFor(['api.example.com'], NOW, -1, 365))));
  await apply(JSON.stringify(tlsSecret(NS, 'web-tls', certFor(['*.kdiag.test'], NOW, -1, 90))));
  await apply(
    JSON.stringify(
      tlsSecret(
        NS,
        'old-tls',
        makeCertificate({ dnsNames: ['old.kdiag.test'], notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2025-01-01T00:00:00Z') }),
      ),
    ),
  );
  // The guide's api-ingress, with /api/v2 pointing at a Service whose selector matches no pod.
  await apply(
    ingress(
      'api-ingress',
      'api.example.com',
      [
        ['/api/v1', 'web'],
        ['/api/v2', 'api-v2-service'],
      ],
      'api-tls-secret',
    ),
  );
  await apply(ingress('web-ingress', 'www.kdiag.test', [['/', 'web']], 'web-tls'));
  await apply(ingress('old-ingress', 'old.kdiag.test', [['/', 'web']], 'old-tls'));
  await apply(ingress('lost-ingress', 'lost.kdiag.test', [['/', 'web']], undefined, 'no-such-class'));
  // Planted faults: missing Service and wrong port, a certificate for another host, a missing Secret, bad annotation values.
  await apply(
    ingress('shop-ingress', 'shop.kdiag.test', [
      ['/cart', 'cart-service'],
      ['/orders', 'web:8080'],
    ]),
  );
  await apply(ingress('www-ingress', 'www.example.com', [['/', 'web']], 'api-tls-secret'));
  await apply(ingress('nosecret-ingress', 'nosecret.kdiag.test', [['/', 'web']], 'missing-tls'));
  await apply(
    ingress('tuned-ingress', 'tuned.kdiag.test', [['/', 'web']], undefined, 'nginx', {
      'nginx.ingress.kubernetes.io/limit-rps': 'fast',
      'nginx.ingress.kubernetes.io/proxy-body-size': '10 MB',
    }),
  );
  await waitForRollout(NS, 'deploy/web');
  const node = await kubectlJson<{ status: { addresses: { type: string; address: string }[] } }>(['get', 'node', 'kdiag-node']);
  nodeIP = node.status.addresses.find((a) => a.type === 'InternalIP')!.address;
});

afterAll(async () => {
  await deleteNamespace(NS);
});

describe('kdiag ingress on the local cluster', () => {
  test('the IngressClass nginx of the guide exists and its controller stand-in runs', async () => {
    const { report } = await ingressJson(['web-ingress', '-n', NS]);
    expect(report.findings.filter((f) => f.code === 'KD3001' || f.code === 'KD3004')).toEqual([]);
  });

  test('without a status the address is reported as pending (young Ingress: info)', async () => {
    const { report } = await ingressJson(['web-ingress', '-n', NS]);
    expect(report.ingresses[0]!.address).toEqual([]);
    expect(report.findings.map((f) => f.code)).toContain('KD3007');
  });

  test('with a status written through the status subresource the address shows and the healthy Ingress yields no warning or error', async () => {
    for (const name of ['web-ingress', 'api-ingress', 'old-ingress']) {
      const patch = JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: nodeIP }] } } });
      const r = await kubectl(['-n', NS, 'patch', 'ingress', name, '--subresource=status', '--type=merge', '-p', patch]);
      expect(r.stderr).toBe('');
    }
    const { code, report } = await ingressJson(['web-ingress', '-n', NS]);
    expect(code).toBe(0);
    expect(report.ingresses[0]).toMatchObject({ address: [nodeIP], status: 'OK', tls: { summary: 'ok' }, backends: { ready: 1, total: 1 } });
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    const strict = await runKdiag(['ingress', 'web-ingress', '-n', NS, '--fail-on', 'warning']);
    expect(strict.code).toBe(0);
  });

  test("the guide's api-ingress: the backend without ready endpoints carries the endpoints cause", async () => {
    const { code, report } = await ingressJson(['api-ingress', '-n', NS]);
    expect(code).toBe(1);
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.code)).toEqual(['KD3010']);
    expect(errors[0]!.message).toContain('api-v2-service: selector app=api-v2 matches no pod');
    expect(report.ingresses[0]!.backends).toEqual({ ready: 1, total: 2 });
    const tree = await runKdiag(['ingress', 'api-ingress', '-n', NS]);
    expect(tree.stdout).toMatch(/\/api\/v1 \(Prefix\) → web:80 \(targetPort 8080\) → 2\/2 endpoints ready/);
    expect(tree.stdout).toContain('└── api-v2-service: selector app=api-v2 matches no pod');
    expect(tree.stdout).toMatch(/api\.example\.com {2}\[TLS api-tls-secret: ok \(expires in 36[45] d\)\]/);
  });

  test('an expired certificate and a missing class are errors; the table shows each Ingress', async () => {
    const { code, report } = await ingressJson(['-n', NS]);
    expect(code).toBe(1);
    const by = (name: string) =>
      report.findings
        .filter((f) => f.object.name === name && f.severity === 'error')
        .map((f) => f.code)
        .sort();
    expect(by('old-ingress')).toEqual(['KD3024']);
    expect(by('lost-ingress')).toEqual(['KD3001']);
    expect(by('web-ingress')).toEqual([]);
    expect(by('shop-ingress')).toEqual(['KD3008', 'KD3009']);
    expect(by('www-ingress')).toEqual(['KD3027']);
    expect(by('nosecret-ingress')).toEqual(['KD3020']);
    expect(by('tuned-ingress')).toEqual(['KD3040', 'KD3040']);
    const san = report.findings.find((f) => f.code === 'KD3027')!;
    expect(san.message).toBe('www-ingress: TLS secret api-tls-secret: certificate does not cover www.example.com');
    expect(san.cause).toContain("The certificate's DNS names are api.example.com");
    const table = await runKdiag(['ingress', '-n', NS]);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+INGRESS\s+CLASS\s+ADDRESS\s+HOSTS\s+TLS\s+BACKENDS\s+STATUS$/);
    expect(table.stdout).toMatch(
      new RegExp(
        `${NS}\\s+old-ingress\\s+nginx\\s+${nodeIP.replace(/\./g, '\\.')}\\s+old\\.kdiag\\.test\\s+certificate expired \\d+ d ago\\s+1/1\\s+ERROR \\(1\\)`,
      ),
    );
    expect(table.stdout).not.toContain('PRIVATE KEY');
  });

  test('without permission to read Secrets (nor cluster-scoped objects) the TLS check is skipped, and the rest still runs', async () => {
    await apply(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: no-secrets, namespace: ${NS}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: no-secrets, namespace: ${NS}}
rules:
- {apiGroups: [""], resources: [services, pods, endpoints], verbs: [get, list]}
- {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [get, list]}
- {apiGroups: [networking.k8s.io], resources: [ingresses], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: no-secrets, namespace: ${NS}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-secrets}
subjects: [{kind: ServiceAccount, name: no-secrets, namespace: ${NS}}]
`);
    const { file } = await serviceAccountKubeconfig(NS, 'no-secrets');
    try {
      const r = await kdiagBinary(['ingress', 'api-ingress', '--details', '--kubeconfig', file]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('TLS:         skipped');
      expect(r.stdout).toMatch(/INFO {4}KD3030 {2}Ingress kdiag-e2e-ingress\/api-ingress: TLS check skipped: Secrets cannot be read/);
      expect(r.stdout).toContain('(403 Forbidden)');
      expect(r.stdout).toContain('KD3010');
      // IngressClasses and controller Pods elsewhere are not readable either: one line per permission, not per Ingress.
      expect(r.stdout).toContain('KD6006');
      expect(r.stdout).not.toContain('KD3005');
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });

  test("the scenario's production api-ingress reports the planted selector fault, and its missing address by age", async () => {
    const { report } = await ingressJson(['api-ingress', '-n', 'production']);
    const f = report.findings.find((x) => x.code === 'KD3010');
    expect(f?.message).toContain('api-v2-service: selector app=api-v2 matches no pod');
    expect(report.findings.filter((x) => x.code.startsWith('KD302'))).toEqual([]);
    // No controller writes its status here: info while young, an error after the 5-minute grace period.
    const live = await kubectlJson<{ metadata: { creationTimestamp: string }; status?: { loadBalancer?: { ingress?: unknown[] } } }>([
      '-n',
      'production',
      'get',
      'ingress',
      'api-ingress',
    ]);
    if (!live.status?.loadBalancer?.ingress?.length) {
      const age = Date.now() - new Date(live.metadata.creationTimestamp).getTime();
      const code = report.findings.find((x) => x.code === 'KD3006' || x.code === 'KD3007')?.code;
      if (age > 310_000) expect(code).toBe('KD3006');
      else if (age < 290_000) expect(code).toBe('KD3007');
    }
  });
});
