// kdiag's renewal fix for a TLS Secret cert-manager issued, checked against the API server with
// cert-manager's real Certificate CRD (cluster/cert-manager-crds.sh, from the cert-manager Go
// module). The shared cluster has no cert-manager, so this test installs the CRD for its own run
// and removes it again; in a namespace of its own it creates what cert-manager leaves behind: a
// Certificate whose status says Ready=False and the Secret it issued, annotated with the
// Certificate's name, holding an expired (KD3024) or a soon-expiring (KD3025) certificate,
// behind an Ingress. The real binary prints the renewal (`kubectl patch certificate …
// --subresource=status`, what `cmctl renew` does); its argument vector from
// `remediation.commands` runs with --dry-run=server and must be accepted, while the same patch
// for a Certificate that does not exist, or with a condition the CRD's schema does not allow,
// must be refused. No cert-manager controller runs: nothing reissues, nothing is changed for real.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { FixCommand } from '../../src/report/fix.js';
import { certFor, tlsSecret } from '../checks/ingress-certs.js';
import { apply, deleteNamespace, ensureNamespace, kubeconfigPath, kubectl, REPO_ROOT, runKdiag, type ExecResult } from './support/cluster.js';

const NS = `certfix-${randomBytes(3).toString('hex')}`;
const CRD = 'certificates.cert-manager.io';
const NOW = new Date();

interface Finding {
  code: string;
  object: { kind: string; namespace?: string; name: string };
  fix: string;
  remediation?: { commands: FixCommand[] };
}

/** cluster/cert-manager-crds.sh against the cluster of KDIAG_E2E_KUBECONFIG. */
async function crds(action: 'install' | 'remove'): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [join(REPO_ROOT, 'cluster', 'cert-manager-crds.sh'), action],
      { env: { ...process.env, KDIAG_STATE: dirname(kubeconfigPath()) }, timeout: 180_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 124) : 0, stdout, stderr }),
    );
  });
}

/** A Certificate, its Secret as cert-manager writes it, and an Ingress serving it. */
async function issued(name: string, host: string, fromDays: number, toDays: number): Promise<void> {
  const secret = tlsSecret(NS, `${name}-tls`, certFor([host], NOW, fromDays, toDays));
  Object.assign(secret.metadata, {
    annotations: {
      'cert-manager.io/certificate-name': `${name}-cert`,
      'cert-manager.io/issuer-name': 'ca',
      'cert-manager.io/issuer-kind': 'Issuer',
      'cert-manager.io/issuer-group': 'cert-manager.io',
      'cert-manager.io/common-name': host,
      'cert-manager.io/alt-names': host,
    },
  });
  await apply(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'cert-manager.io/v1',
          kind: 'Certificate',
          metadata: { name: `${name}-cert`, namespace: NS },
          spec: { secretName: `${name}-tls`, dnsNames: [host], issuerRef: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' } },
        },
        secret,
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name, namespace: NS },
          spec: {
            ingressClassName: 'nginx',
            tls: [{ hosts: [host], secretName: `${name}-tls` }],
            rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
          },
        },
      ],
    }),
  );
  // What cert-manager leaves on a Certificate it could not renew: Ready=False, through the status subresource.
  const ready = {
    type: 'Ready',
    status: 'False',
    reason: 'Expired',
    message: 'Certificate expired',
    lastTransitionTime: NOW.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const r = await kubectl([
    '-n',
    NS,
    'patch',
    'certificate',
    `${name}-cert`,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status: { conditions: [ready] } }),
  ]);
  if (r.code !== 0) throw new Error(`setting the status of Certificate ${name}-cert failed: ${r.stderr}`);
}

/** The verb of a kubectl argument vector after `kubectl`: its first word that is neither a flag nor -n's value. */
function verb(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '-n' || argv[i] === '--namespace') i++;
    else if (!argv[i]!.startsWith('-')) return argv[i];
  }
  return undefined;
}

let installedHere = false;
const findings: Finding[] = [];

beforeAll(async () => {
  // Installed by someone else (cluster/cert-manager-crds.sh by hand): used, and left in place.
  installedHere = (await kubectl(['get', 'crd', CRD, '-o', 'name'])).code !== 0;
  const install = await crds('install');
  if (install.code !== 0) throw new Error(`cluster/cert-manager-crds.sh install failed (${install.code}): ${install.stderr}${install.stdout}`);
  await ensureNamespace(NS);
  await issued('expired', 'expired.certfix.test', -90, -1);
  await issued('expiring', 'expiring.certfix.test', -80, 10);
  const r = await runKdiag(['ingress', '-n', NS, '-o', 'json']);
  // 1: findings at or above --fail-on (the expired certificate is an error); 2 would be kdiag failing.
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: expect.any(String) });
  findings.push(...(JSON.parse(r.stdout) as { findings: Finding[] }).findings);
}, 300_000);

afterAll(async () => {
  // The namespace first: a concurrent `check -A` that read this one's findings then sees it terminating.
  await deleteNamespace(NS, true);
  if (installedHere) {
    const r = await crds('remove');
    if (r.code !== 0) throw new Error(`cluster/cert-manager-crds.sh remove failed (${r.code}): ${r.stderr}${r.stdout}`);
  }
}, 300_000);

describe.each([
  ['KD3024', 'expired'],
  ['KD3025', 'expiring'],
])('%s on a Secret cert-manager issued (%s-tls)', (code, name) => {
  const renewal = (): FixCommand => {
    const f = findings.find((x) => x.code === code && x.fix.includes(`${name}-cert`));
    expect(f).toBeDefined();
    const patch = f!.remediation?.commands.find((c) => verb(c.argv) === 'patch');
    expect(patch?.argv).toEqual(['kubectl', '-n', NS, 'patch', 'certificate', `${name}-cert`, '--subresource=status', '--type=json', '-p', expect.any(String)]);
    return patch!;
  };

  test('the renewal patch is accepted by the API server with the real Certificate CRD', async () => {
    const [, ...args] = renewal().argv;
    const r = await kubectl([...args, '--dry-run=server']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`certificate.cert-manager.io/${name}-cert patched`);
    // A dry run: the Certificate keeps the status cert-manager left.
    const after = await kubectl(['-n', NS, 'get', 'certificate', `${name}-cert`, '-o', 'jsonpath={.status.conditions[*].type}']);
    expect(after.stdout).toBe('Ready');
  });

  test('the fix first reads the Certificate: kubectl describe certificate runs', async () => {
    const f = findings.find((x) => x.code === code && x.fix.includes(`${name}-cert`))!;
    const describeCmd = f.remediation!.commands.find((c) => verb(c.argv) === 'describe');
    expect(describeCmd?.argv).toEqual(['kubectl', '-n', NS, 'describe', 'certificate', `${name}-cert`]);
    const r = await kubectl(describeCmd!.argv.slice(1));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/Kind:\s+Certificate/);
  });

  test('controls: the same patch is refused for a Certificate that does not exist and for a condition the schema rejects', async () => {
    const [, ...args] = renewal().argv;
    const at = args.indexOf(`${name}-cert`);
    const missing = await kubectl([...args.slice(0, at), 'no-such-cert', ...args.slice(at + 1), '--dry-run=server']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/NotFound|not found/);
    // The CRD's schema allows True, False and Unknown as a condition's status.
    const p = args.indexOf('-p') + 1;
    const ops = JSON.parse(args[p]!) as { value: { status: string } }[];
    const bad = JSON.stringify(ops.map((o) => ({ ...o, value: { ...o.value, status: 'Maybe' } })));
    const invalid = await kubectl([...args.slice(0, p), bad, ...args.slice(p + 1), '--dry-run=server']);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/Unsupported value: "Maybe"/);
  });
});
