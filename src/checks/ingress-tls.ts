// TLS Secrets of Ingresses: the Secret's type and keys, the certificate's validity window,
// the hosts its SANs cover (RFC 6125 wildcards) and whether the private key belongs to it.
// Pure over the Secret object (node:crypto only parses). Key material never leaves this
// module: results carry names, dates and fingerprints only.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { Code } from '../report/codes.js';
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
  fix: string;
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
}

/** Checks one TLS Secret of an Ingress. */
export function checkTlsSecret(input: TlsCheckInput): TlsSecretResult {
  const { namespace: ns, ingress, secretName, secret, hosts, now, warnDays } = input;
  const result: TlsSecretResult = { secretName, status: 'ok', summary: 'ok', problems: [], uncoveredHosts: [] };
  const problem = (p: TlsProblem) => {
    result.problems.push(p);
    result.status = 'problem';
  };
  const recreate = `kubectl -n ${ns} create secret tls ${secretName} --cert=tls.crt --key=tls.key --dry-run=client -o yaml | kubectl apply -f -`;

  if (!secret) {
    problem({
      code: 'KD3020',
      message: `TLS secret ${secretName} not found`,
      cause: `tls[].secretName of Ingress ${ns}/${ingress} names Secret ${secretName}, which does not exist in namespace ${ns}; the controller serves its default (self-signed) certificate for ${hosts.join(', ') || 'these hosts'}.`,
      fix: `Create it from the certificate and key: kubectl -n ${ns} create secret tls ${secretName} --cert=tls.crt --key=tls.key (or let cert-manager issue it).`,
    });
    result.summary = 'secret not found';
    return result;
  }
  const type = secret.type ?? 'Opaque';
  const crt = decode(secret.data?.['tls.crt']);
  const key = decode(secret.data?.['tls.key']);
  if (!crt || !key) {
    const missing = [!crt && 'tls.crt', !key && 'tls.key'].filter(Boolean).join(' and ');
    problem({
      code: 'KD3022',
      message: `TLS secret ${secretName} has no ${missing}`,
      cause: `Secret ${ns}/${secretName} (type ${type}) has keys ${Object.keys(secret.data ?? {}).join(', ') || '(none)'}; an Ingress TLS Secret needs both tls.crt and tls.key.`,
      fix: recreate,
    });
    result.summary = `no ${missing}`;
    return result;
  }
  if (type !== 'kubernetes.io/tls') {
    result.problems.push({
      code: 'KD3021',
      message: `TLS secret ${secretName} has type ${type}, not kubernetes.io/tls`,
      cause: `Secret ${ns}/${secretName} carries tls.crt and tls.key but its type is ${type}; some controllers and tools (and kdiag's list of TLS Secrets) only consider kubernetes.io/tls Secrets.`,
      fix: `Recreate it with the right type: kubectl -n ${ns} get secret ${secretName} -o yaml > backup.yaml; kubectl -n ${ns} delete secret ${secretName}; ${recreate.split(' --dry-run')[0]}`,
    });
  }

  const leafPem = pemBlocks(crt)[0];
  let cert: X509Certificate;
  try {
    if (!leafPem) throw new Error('no PEM CERTIFICATE block');
    cert = new X509Certificate(leafPem);
  } catch (err) {
    problem({
      code: 'KD3023',
      message: `TLS secret ${secretName}: certificate cannot be parsed`,
      cause: `tls.crt of Secret ${ns}/${secretName} is not a PEM X.509 certificate (${(err as Error).message.split('\n')[0]}).`,
      fix: `Check the file (openssl x509 -in tls.crt -noout -text), then: ${recreate}`,
    });
    result.summary = 'certificate unreadable';
    return result;
  }

  const notBefore = cert.validFromDate;
  const notAfter = cert.validToDate;
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY);
  const dnsNames = sanDnsNames(cert);
  result.daysLeft = daysLeft;
  result.certificate = {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    dnsNames,
    notBefore: iso(notBefore),
    notAfter: iso(notAfter),
    daysLeft,
    selfSigned: cert.subject === cert.issuer,
    fingerprint256: cert.fingerprint256,
  };
  const renew = `Renew the certificate and update the Secret: ${recreate} (with cert-manager: cmctl renew -n ${ns} ${secretName})`;

  if (notAfter.getTime() <= now.getTime()) {
    const ago = Math.max(0, Math.floor((now.getTime() - notAfter.getTime()) / DAY));
    problem({
      code: 'KD3024',
      message: `TLS secret ${secretName}: certificate expired ${ago === 0 ? 'today' : `${days(ago)} ago`}`,
      cause: `The certificate in ${ns}/${secretName} (subject ${result.certificate.subject}) was valid until ${iso(notAfter)}; clients reject it.`,
      fix: renew,
    });
  } else if (notBefore.getTime() > now.getTime()) {
    problem({
      code: 'KD3026',
      message: `TLS secret ${secretName}: certificate not valid before ${iso(notBefore)}`,
      cause: `The certificate in ${ns}/${secretName} becomes valid at ${iso(notBefore)}; until then clients reject it (or a clock is wrong).`,
      fix: `Check the issuing machine's clock and reissue the certificate, then: ${recreate}`,
    });
  } else if (daysLeft < warnDays) {
    result.problems.push({
      code: 'KD3025',
      message: `TLS secret ${secretName}: certificate expires in ${days(daysLeft)}`,
      cause: `The certificate in ${ns}/${secretName} is valid until ${iso(notAfter)}, within the ${warnDays}-day warning window (--cert-warn-days).`,
      fix: renew,
    });
    if (result.status === 'ok') result.status = 'expiring';
  }

  result.uncoveredHosts = hosts.filter((h) => !certificateCovers(dnsNames, h));
  if (result.uncoveredHosts.length > 0) {
    const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
    problem({
      code: 'KD3027',
      message: `TLS secret ${secretName}: certificate does not cover ${result.uncoveredHosts.join(', ')}`,
      cause: `The certificate's DNS names are ${dnsNames.length ? dnsNames.join(', ') : '(none: no subjectAltName extension)'}${cn && dnsNames.length === 0 ? `; its CN ${cn} is ignored by current clients` : ''}. ${[...new Set(result.uncoveredHosts.map((h) => coverageExplanation(dnsNames, h)))].join(' ')}`,
      fix: `Issue a certificate whose subjectAltName lists ${result.uncoveredHosts.join(', ')} (openssl req ... -addext "subjectAltName=${result.uncoveredHosts.map((h) => `DNS:${h}`).join(',')}"), then: ${recreate}`,
    });
  }

  const keyPem = pemBlocks(key, '[A-Z ]*PRIVATE KEY')[0] ?? key;
  let keyMatches = false;
  let keyError: string | undefined;
  try {
    keyMatches = cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch (err) {
    keyError = (err as Error).message.split('\n')[0];
  }
  if (!keyMatches) {
    problem({
      code: 'KD3028',
      message: keyError ? `TLS secret ${secretName}: private key cannot be read` : `TLS secret ${secretName}: private key does not match the certificate`,
      cause: keyError
        ? `tls.key of Secret ${ns}/${secretName} is not a usable unencrypted PEM private key (${keyError}).`
        : `tls.key of Secret ${ns}/${secretName} is not the key of the certificate in tls.crt (fingerprint ${cert.fingerprint256}); the TLS handshake fails.`,
      fix: `Put the certificate and its own key in the Secret (compare: openssl x509 -noout -pubkey -in tls.crt and openssl pkey -pubout -in tls.key), then: ${recreate}`,
    });
  }

  if (result.status === 'problem') {
    const worst = result.problems.find((p) => p.code !== 'KD3021' && p.code !== 'KD3025') ?? result.problems[0]!;
    result.summary = worst.message.replace(`TLS secret ${secretName}: `, '');
  } else if (result.status === 'expiring') {
    result.summary = `expires in ${days(daysLeft)}`;
  } else {
    result.summary = `ok (expires in ${days(daysLeft)})`;
  }
  return result;
}
