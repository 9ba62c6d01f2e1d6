// kdiag's renewal fix for a TLS Secret cert-manager issued, checked against the API server with
// cert-manager's real Certificate CRD (cluster/cert-manager-crds.sh, from the cert-manager Go
// module). The shared cluster has no cert-manager, so this test installs the CRD for its own run
// and removes it again; in a namespace of its own it creates what cert-manager leaves behind: a
// Certificate whose status says Ready=False and the Secret it issued, annotated with the
// Certificate's name, holding an expired (KD3024) or a soon-expiring (KD3025) certificate,
// behind an Ingress. The real binary prints the renewal (what `cmctl renew` does: the
// Certificate's Issuing condition set through the status subresource, as a server-side apply);
// its argument vector and manifest from `remediation.commands` run with --dry-run=server and must
// be accepted and give Issuing=True with cert-manager's Ready condition kept, also for a
// Certificate with no status yet and for one with the Issuing=False of a failed attempt, while
// the same apply for a Certificate that does not exist, or with a condition the CRD's schema does
// not allow, must be refused. No cert-manager controller runs: nothing is changed for real.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { toYaml, type FixCommand, type Manifest } from '../../src/report/fix.js';
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
async function issued(name: string, host: string, fromDays: number, toDays: number, conditions: object[] = [readyFalse()]): Promise<void> {
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
  if (!conditions.length) return;
  const r = await kubectl([
    '-n',
    NS,
    'patch',
    'certificate',
    `${name}-cert`,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status: { conditions } }),
  ]);
  if (r.code !== 0) throw new Error(`setting the status of Certificate ${name}-cert failed: ${r.stderr}`);
}

const stamp = () => NOW.toISOString().replace(/\.\d+Z$/, 'Z');
/** What cert-manager leaves on a Certificate it could not renew: Ready=False. */
const readyFalse = () => ({ type: 'Ready', status: 'False', reason: 'Expired', message: 'Certificate expired', lastTransitionTime: stamp() });
/** And after a failed issuance: Issuing=False. */
const issuingFailed = () => ({
  type: 'Issuing',
  status: 'False',
  reason: 'Failed',
  message: 'The certificate request has failed',
  lastTransitionTime: stamp(),
});

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
  // Two more Certificates the same fix must work for: one with no status yet (recreated), one after a failed issuance.
  await issued('bare', 'bare.certfix.test', -90, -2, []);
  await issued('failed', 'failed.certfix.test', -90, -3, [readyFalse(), issuingFailed()]);
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

/** The fix's apply with --dry-run=server -o json for `manifest`: the Certificate as it would be. */
async function dryRun(command: FixCommand, manifest: Manifest): Promise<ExecResult & { conditions?: { type: string; status: string }[] }> {
  const r = await kubectl([...command.argv.slice(1), '--dry-run=server', '-o', 'json'], { input: toYaml(manifest) });
  const conditions = r.code === 0 ? (JSON.parse(r.stdout) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions : undefined;
  return { ...r, ...(conditions ? { conditions } : {}) };
}

const named = (m: Manifest, name: string): Manifest => ({ ...m, metadata: { ...(m.metadata as object), name } });
const conditionsNow = async (certificate: string) =>
  (await kubectl(['-n', NS, 'get', 'certificate', certificate, '-o', 'jsonpath={range .status.conditions[*]}{.type}={.status} {end}'])).stdout.trim();

describe.each([
  ['KD3024', 'expired'],
  ['KD3025', 'expiring'],
])('%s on a Secret cert-manager issued (%s-tls)', (code, name) => {
  const renewal = (): FixCommand & { stdin: Manifest } => {
    const f = findings.find((x) => x.code === code && x.fix.includes(`${name}-cert`));
    expect(f).toBeDefined();
    const applyCmd = f!.remediation?.commands.find((c) => verb(c.argv) === 'apply');
    expect(applyCmd?.argv).toEqual(['kubectl', 'apply', '--server-side', '--subresource=status', '--field-manager=kdiag', '--force-conflicts', '-f', '-']);
    expect(applyCmd?.stdin).toMatchObject({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: `${name}-cert`, namespace: NS } });
    return applyCmd as FixCommand & { stdin: Manifest };
  };

  test('the renewal is accepted by the API server with the real Certificate CRD: Issuing=True, Ready kept', async () => {
    const fix = renewal();
    const r = await dryRun(fix, fix.stdin);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.conditions).toEqual([
      expect.objectContaining({ type: 'Ready', status: 'False' }),
      expect.objectContaining({ type: 'Issuing', status: 'True', reason: 'ManuallyTriggered' }),
    ]);
    // A dry run: the Certificate keeps the status cert-manager left.
    expect(await conditionsNow(`${name}-cert`)).toBe('Ready=False');
  });

  test('the same renewal works for a Certificate with no status yet and after a failed issuance (Issuing=False)', async () => {
    const fix = renewal();
    const bare = await dryRun(fix, named(fix.stdin, 'bare-cert'));
    expect({ code: bare.code, stderr: bare.stderr }).toEqual({ code: 0, stderr: '' });
    expect(bare.conditions).toEqual([expect.objectContaining({ type: 'Issuing', status: 'True' })]);
    const failed = await dryRun(fix, named(fix.stdin, 'failed-cert'));
    expect({ code: failed.code, stderr: failed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(failed.conditions).toEqual([
      expect.objectContaining({ type: 'Ready', status: 'False' }),
      expect.objectContaining({ type: 'Issuing', status: 'True', reason: 'ManuallyTriggered' }),
    ]);
    expect(await conditionsNow('failed-cert')).toBe('Ready=False Issuing=False');
  });

  test('the fix first reads the Certificate: kubectl describe certificate runs', async () => {
    const f = findings.find((x) => x.code === code && x.fix.includes(`${name}-cert`))!;
    const describeCmd = f.remediation!.commands.find((c) => verb(c.argv) === 'describe');
    expect(describeCmd?.argv).toEqual(['kubectl', '-n', NS, 'describe', 'certificate', `${name}-cert`]);
    const r = await kubectl(describeCmd!.argv.slice(1));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/Kind:\s+Certificate/);
  });

  test('controls: the same apply is refused for a Certificate that does not exist and for a condition the schema rejects', async () => {
    const fix = renewal();
    const missing = await dryRun(fix, named(fix.stdin, 'no-such-cert'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/NotFound|not found/);
    // The CRD's schema allows True, False and Unknown as a condition's status.
    const status = fix.stdin.status as { conditions: object[] };
    const invalid = await dryRun(fix, { ...fix.stdin, status: { conditions: status.conditions.map((c) => ({ ...c, status: 'Maybe' })) } });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/Unsupported value: "Maybe"/);
  });
});
