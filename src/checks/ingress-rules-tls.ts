// The Ingress rules about TLS: each tls[] Secret (through checkTlsSecret), hosts served
// without TLS, and the cert-manager issuer and Certificate behind an annotated Ingress.
import type { V1IngressTLS } from '@kubernetes/client-node';
import type { CustomObject } from '../snapshot.js';
import { cmd, fix, kubectl } from '../report/fix.js';
import type { IngressContext, IngressSubject } from './ingress-context.js';
import { hostMatches } from './ingress-match.js';
import { checkTlsSecret, type TlsSecretResult } from './ingress-tls.js';
import type { HostNode, HostTls, IngressTlsResult, TlsSecretSummary } from './ingress-types.js';

const CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';
const ISSUER_ANNOTATION = 'cert-manager.io/issuer';
const ISSUER_KIND_ANNOTATION = 'cert-manager.io/issuer-kind';
const ISSUER_GROUP_ANNOTATION = 'cert-manager.io/issuer-group';

/** KD3030 (once per run): Secrets cannot be listed, so no certificate was checked. */
function tlsSkipped(s: IngressSubject, ctx: IngressContext): IngressTlsResult {
  s.addOnce('KD3030', {
    message: 'TLS check skipped: Secrets cannot be read',
    cause: `kdiag could not list Secrets (${ctx.tlsUnavailable}); certificates of every Ingress with TLS were not checked.`,
    fix: `Grant list and get on secrets in namespace ${s.ns} (see deploy/rbac.yaml), or run as a user who may read them.`,
  });
  return { status: 'skipped', summary: 'skipped', secrets: [] };
}

/** One tls[] entry's Secret: KD3030 when it could not be read, else the certificate checks (KD3020–KD3028). */
function checkEntry(s: IngressSubject, entry: V1IngressTLS & { secretName: string }, hosts: string[], ctx: IngressContext): TlsSecretResult {
  const secret = ctx.secret(s.ns, entry.secretName);
  const readError = ctx.secretError(s.ns, entry.secretName);
  if (!secret && readError) {
    s.add('KD3030', {
      message: `TLS secret ${entry.secretName} not checked`,
      cause: `Secret ${s.ns}/${entry.secretName} could not be read: ${readError}.`,
      fix: `Grant get on secrets in namespace ${s.ns}.`,
    });
    return { secretName: entry.secretName, status: 'skipped', summary: 'not readable', problems: [], uncoveredHosts: [] };
  }
  const result = checkTlsSecret({
    namespace: s.ns,
    ingress: s.name,
    secretName: entry.secretName,
    secret,
    hosts,
    now: ctx.now,
    warnDays: ctx.warnDays,
    lookedUpByName: ctx.secretsLookedUp,
  });
  for (const p of result.problems) s.add(p.code, { message: p.message, cause: p.cause, fix: { text: p.fix, remediation: p.remediation } });
  return result;
}

/** KD3029: a rule host that no tls[] entry lists, while others do. Sets each host's TLS in the tree. */
function assignHosts(s: IngressSubject, hosts: HostNode[], byHost: Map<string, HostTls>, entries: readonly V1IngressTLS[]): void {
  for (const h of hosts) {
    if (h.host === '*') continue;
    const exact = byHost.get(h.host);
    h.tls = exact ?? [...byHost.entries()].find(([t]) => t.startsWith('*.') && hostMatches(t, h.host))?.[1];
    if (h.tls || !entries.some((t) => t.hosts?.length)) continue;
    s.add('KD3029', {
      message: `host ${h.host} is served without TLS`,
      cause: `The Ingress has TLS for ${[...byHost.keys()].join(', ') || 'other hosts'} but no tls[] entry lists ${h.host}; it is served over plain HTTP (or with the controller's default certificate).`,
      fix: fix`Add ${h.host} to a tls[].hosts entry with a Secret whose certificate covers it: ${kubectl('-n', s.ns, 'edit', 'ingress', s.name)}`,
    });
  }
}

function tlsSummary(secrets: TlsSecretSummary[]): IngressTlsResult {
  const statuses = secrets.map((x) => x.status);
  const status = statuses.includes('problem') ? 'problem' : statuses.includes('expiring') ? 'expiring' : statuses.includes('skipped') ? 'skipped' : 'ok';
  const days = secrets.map((x) => x.daysLeft).filter((d): d is number => d !== undefined);
  const minDaysLeft = days.length ? Math.min(...days) : undefined;
  const summary =
    status === 'expiring' ? `expires in ${minDaysLeft} d` : status === 'problem' ? (secrets.find((x) => x.status === 'problem')?.summary ?? 'problem') : status;
  return { status, summary, minDaysLeft, secrets };
}

/** KD3020–KD3030: the Ingress's TLS Secrets and hosts; fills the hosts' TLS in the tree. */
export function lintTls(s: IngressSubject, hosts: HostNode[], ctx: IngressContext): IngressTlsResult {
  const entries = s.ing.spec?.tls ?? [];
  if (entries.length === 0) return { status: 'none', summary: '-', secrets: [] };
  if (ctx.tlsUnavailable) return tlsSkipped(s, ctx);
  const ruleHosts = hosts.map((h) => h.host).filter((h) => h !== '*');
  const secrets: TlsSecretSummary[] = [];
  const byHost = new Map<string, HostTls>();
  for (const entry of entries) {
    if (!entry.secretName) continue; // the controller's default certificate
    const entryHosts = entry.hosts?.length ? entry.hosts : ruleHosts;
    const { problems: _p, uncoveredHosts: _u, ...result } = checkEntry(s, { ...entry, secretName: entry.secretName }, entryHosts, ctx);
    secrets.push({ ...result, hosts: entryHosts });
    for (const h of entryHosts) {
      if (!byHost.has(h))
        byHost.set(h, {
          secretName: result.secretName,
          status: result.status,
          summary: result.summary,
          daysLeft: result.daysLeft,
          certificate: result.certificate,
        });
    }
  }
  assignHosts(s, hosts, byHost, entries);
  return tlsSummary(secrets);
}

function readyCondition(obj: CustomObject): { status: string; reason?: string; message?: string } | undefined {
  return obj.status?.conditions?.find((c) => c.type === 'Ready');
}

function readyText(ready: { status: string; reason?: string; message?: string } | undefined): string {
  return `Ready=${ready?.status ?? 'Unknown'}${ready?.reason ? ` (${ready.reason})` : ''}${ready?.message ? `: ${ready.message}` : ''}`;
}

/** KD3034 (cert-manager absent) or KD3035 (not readable), once per run. */
function certManagerUnavailable(s: IngressSubject, reason: 'absent' | 'forbidden', message: string): void {
  const asked = s.annotations[CLUSTER_ISSUER_ANNOTATION]
    ? `${CLUSTER_ISSUER_ANNOTATION}: ${s.annotations[CLUSTER_ISSUER_ANNOTATION]}`
    : `${ISSUER_ANNOTATION}: ${s.annotations[ISSUER_ANNOTATION]}`;
  if (reason === 'absent') {
    s.addOnce('KD3034', {
      message: 'cert-manager annotations, but cert-manager is not installed',
      cause: `Ingress ${s.ns}/${s.name} (and possibly others) asks cert-manager for a certificate (${asked}), but ${message}; no certificate will be issued.`,
      fix: 'Install cert-manager (https://cert-manager.io/docs/installation/), or remove the annotations and manage the TLS Secret yourself.',
    });
  } else {
    s.addOnce('KD3035', {
      message: 'cert-manager objects could not be read',
      cause: `${message}; Issuers and Certificates were not checked.`,
      fix: 'Grant list on certificates, issuers and clusterissuers (cert-manager.io).',
    });
  }
}

/** KD3031 issuer missing, KD3032 issuer not Ready. */
function lintIssuer(s: IngressSubject, ctx: IngressContext): void {
  const cm = ctx.certManager!;
  const clusterIssuer = s.annotations[CLUSTER_ISSUER_ANNOTATION];
  const wantCluster = Boolean(clusterIssuer) || s.annotations[ISSUER_KIND_ANNOTATION] === 'ClusterIssuer';
  const issuerName = clusterIssuer ?? s.annotations[ISSUER_ANNOTATION] ?? '';
  const list = wantCluster ? cm.clusterIssuers : cm.issuers.filter((i) => i.metadata?.namespace === s.ns);
  const kind = wantCluster ? 'ClusterIssuer' : 'Issuer';
  const found = list.find((i) => i.metadata?.name === issuerName);
  if (!found) {
    const names = list.map((i) => i.metadata?.name ?? '');
    const annotation = wantCluster ? CLUSTER_ISSUER_ANNOTATION : ISSUER_ANNOTATION;
    s.add('KD3031', {
      message: `cert-manager ${kind} ${issuerName} not found`,
      cause: `The Ingress asks cert-manager to issue its certificate with ${kind} ${issuerName}${wantCluster ? '' : ` in namespace ${s.ns}`}, which does not exist${names.length ? ` (${kind}s: ${names.join(', ')})` : ''}; no certificate is issued.`,
      fix: names[0]
        ? fix`Create the ${kind} or point the annotation at an existing one: ${kubectl('-n', s.ns, 'annotate', 'ingress', s.name, '--overwrite', `${annotation}=${names[0]}`)}`
        : `Create the ${kind} ${issuerName}${wantCluster ? '' : ` in namespace ${s.ns}`} (https://cert-manager.io/docs/configuration/), or fix the ${annotation} annotation.`,
    });
    return;
  }
  const ready = readyCondition(found);
  if (ready?.status === 'True') return;
  s.add('KD3032', {
    message: `cert-manager ${kind} ${issuerName} is not Ready`,
    cause: `${kind} ${issuerName}: ${readyText(ready)}; it issues no certificates until Ready.`,
    fix: fix`${wantCluster ? kubectl('describe', 'clusterissuer', issuerName) : kubectl('-n', s.ns, 'describe', 'issuer', issuerName)}`,
  });
}

/** KD3033: the Certificate cert-manager's ingress-shim makes for each tls[] Secret is missing or not Ready. */
function lintCertificates(s: IngressSubject, ctx: IngressContext): void {
  for (const entry of s.ing.spec?.tls ?? []) {
    if (!entry.secretName) continue;
    const cert = ctx.certManager!.certificates.find((c) => c.metadata?.namespace === s.ns && c.spec?.['secretName'] === entry.secretName);
    if (!cert) {
      s.add('KD3033', {
        message: `no cert-manager Certificate for secret ${entry.secretName}`,
        cause: `cert-manager's ingress-shim should create a Certificate named ${entry.secretName} for this Ingress; there is none in namespace ${s.ns} (is cert-manager's controller running, and does it watch this namespace?).`,
        fix: fix`${kubectl('-n', 'cert-manager', 'logs', 'deploy/cert-manager')} | ${cmd('grep', '-F', '--', s.name)}; ${kubectl('-n', s.ns, 'describe', 'ingress', s.name)}`,
      });
      continue;
    }
    const ready = readyCondition(cert);
    if (ready?.status === 'True') continue;
    const certName = cert.metadata?.name ?? '';
    s.add('KD3033', {
      message: `cert-manager Certificate ${certName} is not Ready`,
      cause: `Certificate ${s.ns}/${certName} (secret ${entry.secretName}): ${readyText(ready)}.`,
      fix: fix`${kubectl('-n', s.ns, 'describe', 'certificate', certName)}; ${kubectl('-n', s.ns, 'get', 'certificaterequests,orders,challenges')}`,
    });
  }
}

/** KD3031–KD3035: the issuer and Certificates behind cert-manager annotations. */
export function lintCertManager(s: IngressSubject, ctx: IngressContext): void {
  const cm = ctx.certManager;
  if (!cm || !(s.annotations[CLUSTER_ISSUER_ANNOTATION] || s.annotations[ISSUER_ANNOTATION])) return;
  if (cm.unavailable) {
    certManagerUnavailable(s, cm.unavailable.reason, cm.unavailable.message);
    return;
  }
  const group = s.annotations[ISSUER_GROUP_ANNOTATION];
  // An external issuer (another API group) is not cert-manager's to check.
  if (group === undefined || group === 'cert-manager.io') lintIssuer(s, ctx);
  lintCertificates(s, ctx);
}

export const CERT_MANAGER_ANNOTATIONS = [CLUSTER_ISSUER_ANNOTATION, ISSUER_ANNOTATION] as const;
