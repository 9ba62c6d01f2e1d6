// TLS Secrets of Ingresses: the Secret's type and keys, the certificate's validity window,
// the hosts its SANs cover (RFC 6125 wildcards) and whether the private key belongs to it.
// Pure over the Secret object (node:crypto only parses). Key material never leaves this
// module: results carry names, dates and fingerprints only.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { Code } from '../report/codes.js';
import { cmd, fix, kubectl, kubectlApply, type FixCommand, type FixSpec, type Remediation } from '../report/fix.js';
import { MULTI_LABEL_PUBLIC_SUFFIXES } from './data/public-suffixes.js';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** DNS names of the subjectAltName extension. */
  dnsNames: string[];
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  selfSigned: boolean;
  fingerprint256: string;
}

export interface TlsProblem {
  code: Code;
  /** Short text for the tree and the finding message. */
  message: string;
  cause: string;
  /** The fix as text, and the commands in it as data (src/report/fix.ts). */
  fix: string;
  remediation?: Remediation;
}

export type TlsStatus = 'ok' | 'expiring' | 'problem' | 'skipped';

export interface TlsSecretResult {
  secretName: string;
  status: TlsStatus;
  /** "ok (expires in 120 d)", "expired 3 d ago", … */
  summary: string;
  daysLeft?: number;
  certificate?: CertificateInfo;
  problems: TlsProblem[];
  /** Hosts (of tls[].hosts) the certificate does not cover. */
  uncoveredHosts: string[];
}

const DAY = 86_400_000;

function iso(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

/** The PEM blocks of a type, in order (a tls.crt may hold the chain; the first is the leaf). */
export function pemBlocks(text: string, label = 'CERTIFICATE'): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`, 'g');
  return text.match(re) ?? [];
}

/** DNS names from Node's subjectAltName text ("DNS:a.example.com, IP Address:10.0.0.1"). */
export function sanDnsNames(cert: X509Certificate): string[] {
  const text = cert.subjectAltName;
  if (!text) return [];
  return text
    .split(/,\s*/)
    .filter((part) => part.startsWith('DNS:'))
    .map((part) => part.slice(4).replace(/^"|"$/g, '').toLowerCase());
}

/**
 * Why a wildcard certificate name covers nothing: a wildcard directly under a top-level label
 * (`*.org`) or a public suffix (`*.co.uk`) would cover every site of that registry, so clients
 * refuse it whatever the host (RFC 6125 §7.2; browsers and curl consult the Public Suffix List).
 */
export function wildcardRefusal(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (!n.startsWith('*.')) return undefined;
  const parent = n.slice(2);
  if (!parent.includes('.')) {
    return `${n} is a wildcard directly under the top-level label "${parent}": no client (browsers, curl, OpenSSL, Node) accepts it for any name, not even one label deeper such as example.${parent}`;
  }
  if (MULTI_LABEL_PUBLIC_SUFFIXES.has(parent)) {
    return `${n} is a wildcard directly under the public suffix "${parent}" (a registry, like a top-level label): browsers and curl, which consult the Public Suffix List, refuse it for every name such as example.${parent}`;
  }
  return undefined;
}

/**
 * Whether a certificate DNS name covers a host, per RFC 6125 §6.4.3 as browsers apply it:
 * a wildcard is only the whole left-most label and stands for exactly one label
 * (`*.example.com` covers `api.example.com`, not `example.com` nor `a.b.example.com`), and
 * never sits directly under a top-level label or public suffix (wildcardRefusal).
 * A wildcard host of the Ingress (`*.example.com`) is covered only by the same wildcard.
 */
export function nameCovers(name: string, host: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (n === h) return !wildcardRefusal(n);
  if (!n.startsWith('*.') || h.startsWith('*.')) return false;
  if (wildcardRefusal(n)) return false;
  const suffix = n.slice(1);
  if (!h.endsWith(suffix)) return false;
  const label = h.slice(0, -suffix.length);
  return label.length > 0 && !label.includes('.');
}

/** Why the certificate's names do not cover `host`, in one sentence per relevant rule. */
export function coverageExplanation(dnsNames: readonly string[], host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  const refused = dnsNames.map((n) => ({ n, why: wildcardRefusal(n) })).filter((x) => x.why && (h === x.n || h.endsWith(x.n.slice(1))));
  if (refused.length) return refused.map((x) => x.why).join('; ') + '.';
  return 'A wildcard covers exactly one label (*.example.com covers api.example.com, not example.com nor a.b.example.com).';
}

export function certificateCovers(dnsNames: readonly string[], host: string): boolean {
  return dnsNames.some((n) => nameCovers(n, host));
}

function decode(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

function days(n: number): string {
  return `${n} d`;
}

export interface TlsCheckInput {
  namespace: string;
  ingress: string;
  secretName: string;
  /** The Secret, undefined when it does not exist. */
  secret: V1Secret | undefined;
  /** tls[].hosts of the entry naming this Secret (or the rule hosts when it lists none). */
  hosts: readonly string[];
  now: Date;
  warnDays: number;
  /**
   * Whether Secrets of other types were read by name when no TLS Secret had this name
   * (default true); when not, "not found" means only "no kubernetes.io/tls Secret".
   */
  lookedUpByName?: boolean;
}

/** A problem whose fix is built by the fix builder. */
function withFix(p: Omit<TlsProblem, 'fix' | 'remediation'>, f: FixSpec): TlsProblem {
  return { ...p, fix: f.text, ...(f.remediation ? { remediation: f.remediation } : {}) };
}

/** kubectl create secret tls as a dry run, piped into kubectl apply (replaces the Secret's data). */
function recreate(ns: string, secretName: string): [FixCommand, FixCommand] {
  return [
    kubectl('-n', ns, 'create', 'secret', 'tls', secretName, '--cert=tls.crt', '--key=tls.key', '--dry-run=client', '-o', 'yaml'),
    kubectl('apply', '-f', '-'),
  ];
}

/** One Secret under check: its input, the result so far and the fix that recreates it. */
interface TlsCheck {
  input: TlsCheckInput;
  result: TlsSecretResult;
  /** The pipeline that recreates the Secret from tls.crt and tls.key. */
  again: [FixCommand, FixCommand];
  /** A problem that breaks TLS (the status becomes `problem`). */
  problem(p: Omit<TlsProblem, 'fix' | 'remediation'>, f: FixSpec): void;
  /** A warning that leaves the status as it is. */
  note(p: Omit<TlsProblem, 'fix' | 'remediation'>, f: FixSpec): void;
}

function tlsCheck(input: TlsCheckInput): TlsCheck {
  const result: TlsSecretResult = { secretName: input.secretName, status: 'ok', summary: 'ok', problems: [], uncoveredHosts: [] };
  return {
    input,
    result,
    again: recreate(input.namespace, input.secretName),
    problem: (p, f) => {
      result.problems.push(withFix(p, f));
      result.status = 'problem';
    },
    note: (p, f) => result.problems.push(withFix(p, f)),
  };
}

/** KD3020: no Secret of that name. */
function missingSecret(c: TlsCheck): void {
  const { namespace: ns, ingress, secretName, hosts } = c.input;
  const served = `the controller serves its default (self-signed) certificate for ${hosts.join(', ') || 'these hosts'}`;
  c.problem(
    {
      code: 'KD3020',
      message: `TLS secret ${secretName} not found`,
      cause:
        c.input.lookedUpByName === false
          ? `No Secret of type kubernetes.io/tls named ${secretName} exists in namespace ${ns} (a Secret of another type was not looked for); ${served}.`
          : `tls[].secretName of Ingress ${ns}/${ingress} names Secret ${secretName}, which does not exist in namespace ${ns}; ${served}.`,
    },
    fix`Create it from the certificate and key: ${kubectl('-n', ns, 'create', 'secret', 'tls', secretName, '--cert=tls.crt', '--key=tls.key')} (or let cert-manager issue it).`,
  );
  c.result.summary = 'secret not found';
}

/** KD3022 (no tls.crt or tls.key), KD3021 (another type): the certificate and key text, when both are there. */
function secretShape(c: TlsCheck, secret: V1Secret): { crt: string; key: string } | undefined {
  const { namespace: ns, secretName } = c.input;
  const type = secret.type ?? 'Opaque';
  const crt = decode(secret.data?.['tls.crt']);
  const key = decode(secret.data?.['tls.key']);
  if (!crt || !key) {
    const missing = [!crt && 'tls.crt', !key && 'tls.key'].filter(Boolean).join(' and ');
    c.problem(
      {
        code: 'KD3022',
        message: `TLS secret ${secretName} has no ${missing}`,
        cause: `Secret ${ns}/${secretName} (type ${type}) has keys ${Object.keys(secret.data ?? {}).join(', ') || '(none)'}; an Ingress TLS Secret needs both tls.crt and tls.key.`,
      },
      fix`${c.again[0]} | ${c.again[1]}`,
    );
    c.result.summary = `no ${missing}`;
    return undefined;
  }
  if (type !== 'kubernetes.io/tls') {
    c.note(
      {
        code: 'KD3021',
        message: `TLS secret ${secretName} has type ${type}, not kubernetes.io/tls`,
        cause: `Secret ${ns}/${secretName} carries tls.crt and tls.key but its type is ${type}; some controllers and tools (and kdiag's list of TLS Secrets) only consider kubernetes.io/tls Secrets.`,
      },
      fix`Recreate it with the right type: ${kubectl('-n', ns, 'get', 'secret', secretName, '-o', 'yaml')} > backup.yaml; ${kubectl('-n', ns, 'delete', 'secret', secretName)}; ${kubectl('-n', ns, 'create', 'secret', 'tls', secretName, '--cert=tls.crt', '--key=tls.key')}`,
    );
  }
  return { crt, key };
}

/** KD3023: the leaf certificate, when it parses. */
function parseLeaf(c: TlsCheck, crt: string): X509Certificate | undefined {
  const leafPem = pemBlocks(crt)[0];
  try {
    if (!leafPem) throw new Error('no PEM CERTIFICATE block');
    return new X509Certificate(leafPem);
  } catch (err) {
    const { namespace: ns, secretName } = c.input;
    c.problem(
      {
        code: 'KD3023',
        message: `TLS secret ${secretName}: certificate cannot be parsed`,
        cause: `tls.crt of Secret ${ns}/${secretName} is not a PEM X.509 certificate (${(err as Error).message.split('\n')[0]}).`,
      },
      fix`Check the file (${cmd('openssl', 'x509', '-in', 'tls.crt', '-noout', '-text')}), then: ${c.again[0]} | ${c.again[1]}`,
    );
    c.result.summary = 'certificate unreadable';
    return undefined;
  }
}

function certificateInfo(cert: X509Certificate, now: Date): CertificateInfo {
  const daysLeft = Math.floor((cert.validToDate.getTime() - now.getTime()) / DAY);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    dnsNames: sanDnsNames(cert),
    notBefore: iso(cert.validFromDate),
    notAfter: iso(cert.validToDate),
    daysLeft,
    selfSigned: cert.subject === cert.issuer,
    fingerprint256: cert.fingerprint256,
  };
}

/** cert-manager's annotation on a Secret it issued: the Certificate the Secret belongs to. */
const CERTIFICATE_NAME_ANNOTATION = 'cert-manager.io/certificate-name';

/**
 * How to renew: for a Secret cert-manager issued, what `cmctl renew` does, as a kubectl command
 * (so it can be checked with --dry-run=server): set the Certificate's Issuing condition through
 * the status subresource, after which cert-manager reissues; replacing such a Secret by hand
 * would be overwritten. Otherwise, replace the Secret's certificate.
 *
 * A server-side apply: the CRD keys `status.conditions` by type, so the apply sets the Issuing
 * entry and leaves cert-manager's others (Ready) in place, whether the Certificate has no
 * conditions yet or an Issuing=False from a failed attempt (a JSON patch appending to the list is
 * refused in both cases). --force-conflicts takes over the Issuing fields cert-manager last set.
 */
function renewal(c: TlsCheck): FixSpec {
  const certificate = c.input.secret?.metadata?.annotations?.[CERTIFICATE_NAME_ANNOTATION];
  if (!certificate) return fix`Renew the certificate and update the Secret: ${c.again[0]} | ${c.again[1]}`;
  const ns = c.input.namespace;
  const issuing = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: certificate, namespace: ns },
    status: { conditions: [{ type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'Certificate re-issuance manually triggered' }] },
  };
  return fix`cert-manager issued this Secret for Certificate ${certificate}: see why it was not renewed (${kubectl('-n', ns, 'describe', 'certificate', certificate)}), then have it reissue, as cmctl renew does (its Issuing condition set, the others kept):
${kubectlApply(issuing, '--server-side', '--subresource=status', '--field-manager=kdiag', '--force-conflicts')}`;
}

/** KD3024 expired, KD3026 not yet valid, KD3025 expiring within the warning window. */
function lintValidity(c: TlsCheck, cert: X509Certificate, info: CertificateInfo): void {
  const { namespace: ns, secretName, now, warnDays } = c.input;
  const notBefore = cert.validFromDate;
  const notAfter = cert.validToDate;
  const renew = renewal(c);
  if (notAfter.getTime() <= now.getTime()) {
    const ago = Math.max(0, Math.floor((now.getTime() - notAfter.getTime()) / DAY));
    c.problem(
      {
        code: 'KD3024',
        message: `TLS secret ${secretName}: certificate expired ${ago === 0 ? 'today' : `${days(ago)} ago`}`,
        cause: `The certificate in ${ns}/${secretName} (subject ${info.subject}) was valid until ${iso(notAfter)}; clients reject it.`,
      },
      renew,
    );
  } else if (notBefore.getTime() > now.getTime()) {
    c.problem(
      {
        code: 'KD3026',
        message: `TLS secret ${secretName}: certificate not valid before ${iso(notBefore)}`,
        cause: `The certificate in ${ns}/${secretName} becomes valid at ${iso(notBefore)}; until then clients reject it (or a clock is wrong).`,
      },
      fix`Check the issuing machine's clock and reissue the certificate, then: ${c.again[0]} | ${c.again[1]}`,
    );
  } else if (info.daysLeft < warnDays) {
    c.note(
      {
        code: 'KD3025',
        message: `TLS secret ${secretName}: certificate expires in ${days(info.daysLeft)}`,
        cause: `The certificate in ${ns}/${secretName} is valid until ${iso(notAfter)}, within the ${warnDays}-day warning window (--cert-warn-days).`,
      },
      renew,
    );
    if (c.result.status === 'ok') c.result.status = 'expiring';
  }
}

/** KD3027: hosts the certificate's DNS names do not cover. */
function lintCoverage(c: TlsCheck, cert: X509Certificate, info: CertificateInfo): void {
  const { secretName, hosts } = c.input;
  const dnsNames = info.dnsNames;
  const uncovered = hosts.filter((h) => !certificateCovers(dnsNames, h));
  c.result.uncoveredHosts = uncovered;
  if (uncovered.length === 0) return;
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  const san = `subjectAltName=${uncovered.map((h) => `DNS:${h}`).join(',')}`;
  c.problem(
    {
      code: 'KD3027',
      message: `TLS secret ${secretName}: certificate does not cover ${uncovered.join(', ')}`,
      cause: `The certificate's DNS names are ${dnsNames.length ? dnsNames.join(', ') : '(none: no subjectAltName extension)'}${cn && dnsNames.length === 0 ? `; its CN ${cn} is ignored by current clients` : ''}. ${[...new Set(uncovered.map((h) => coverageExplanation(dnsNames, h)))].join(' ')}`,
    },
    fix`Have a certificate issued whose subjectAltName lists ${uncovered.join(', ')} (a request for it: ${cmd('openssl', 'req', '-new', '-key', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${uncovered[0]}`, '-addext', san)}), then: ${c.again[0]} | ${c.again[1]}`,
  );
}

/** KD3028: the private key is unreadable or not the certificate's. */
function lintKey(c: TlsCheck, cert: X509Certificate, key: string): void {
  const { namespace: ns, secretName } = c.input;
  const keyPem = pemBlocks(key, '[A-Z ]*PRIVATE KEY')[0] ?? key;
  let keyError: string | undefined;
  try {
    if (cert.checkPrivateKey(createPrivateKey(keyPem))) return;
  } catch (err) {
    keyError = (err as Error).message.split('\n')[0];
  }
  c.problem(
    {
      code: 'KD3028',
      message: keyError ? `TLS secret ${secretName}: private key cannot be read` : `TLS secret ${secretName}: private key does not match the certificate`,
      cause: keyError
        ? `tls.key of Secret ${ns}/${secretName} is not a usable unencrypted PEM private key (${keyError}).`
        : `tls.key of Secret ${ns}/${secretName} is not the key of the certificate in tls.crt (fingerprint ${cert.fingerprint256}); the TLS handshake fails.`,
    },
    fix`Put the certificate and its own key in the Secret (compare: ${cmd('openssl', 'x509', '-noout', '-pubkey', '-in', 'tls.crt')} and ${cmd('openssl', 'pkey', '-pubout', '-in', 'tls.key')}), then: ${c.again[0]} | ${c.again[1]}`,
  );
}

function summarize(result: TlsSecretResult, daysLeft: number): void {
  if (result.status === 'problem') {
    const worst = result.problems.find((p) => p.code !== 'KD3021' && p.code !== 'KD3025') ?? result.problems[0]!;
    result.summary = worst.message.replace(`TLS secret ${result.secretName}: `, '');
  } else if (result.status === 'expiring') {
    result.summary = `expires in ${days(daysLeft)}`;
  } else {
    result.summary = `ok (expires in ${days(daysLeft)})`;
  }
}

/** Checks one TLS Secret of an Ingress (or of a Gateway listener). */
export function checkTlsSecret(input: TlsCheckInput): TlsSecretResult {
  const c = tlsCheck(input);
  if (!input.secret) {
    missingSecret(c);
    return c.result;
  }
  const pair = secretShape(c, input.secret);
  const cert = pair && parseLeaf(c, pair.crt);
  if (!pair || !cert) return c.result;
  const info = certificateInfo(cert, input.now);
  c.result.certificate = info;
  c.result.daysLeft = info.daysLeft;
  lintValidity(c, cert, info);
  lintCoverage(c, cert, info);
  lintKey(c, cert, pair.key);
  summarize(c.result, info.daysLeft);
  return c.result;
}
