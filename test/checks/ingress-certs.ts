// Real certificates for the ingress TLS tests, made with openssl at test time in a temp
// directory that is removed again: no private key is ever checked in.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertOptions {
  cn?: string;
  dnsNames: string[];
  notBefore: Date;
  notAfter: Date;
}

export interface CertPair {
  crt: string;
  key: string;
}

const CA_CONFIG = `[ ca ]
default_ca = kdiag
[ kdiag ]
dir = .
database = ./index.txt
new_certs_dir = .
serial = ./serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
`;

function asn1Time(d: Date): string {
  return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** A self-signed EC certificate valid from notBefore to notAfter (openssl ca allows past dates). */
export function makeCertificate(options: CertOptions): CertPair {
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-cert-'));
  try {
    writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(
      join(dir, 'serial'),
      `${Math.floor(Math.random() * 1e8)
        .toString(16)
        .padStart(8, '0')}\n`,
    );
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const san = options.dnsNames.length ? ['-addext', `subjectAltName=${options.dnsNames.map((n) => `DNS:${n}`).join(',')}`] : [];
    run([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'tls.key',
      '-subj',
      `/CN=${options.cn ?? options.dnsNames[0] ?? 'kdiag-test'}`,
      ...san,
      '-out',
      'req.csr',
    ]);
    run([
      'ca',
      '-batch',
      '-selfsign',
      '-config',
      'ca.cnf',
      '-keyfile',
      'tls.key',
      '-in',
      'req.csr',
      '-out',
      'tls.crt',
      '-notext',
      '-startdate',
      asn1Time(options.notBefore),
      '-enddate',
      asn1Time(options.notAfter),
    ]);
    return { crt: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DAY = 86_400_000;

/** Valid from `fromDays` to `toDays` relative to `now`. */
export function certFor(dnsNames: string[], now: Date, fromDays: number, toDays: number, cn?: string): CertPair {
  return makeCertificate({ dnsNames, cn, notBefore: new Date(now.getTime() + fromDays * DAY), notAfter: new Date(now.getTime() + toDays * DAY) });
}

/** A Secret object carrying the pair (type kubernetes.io/tls unless told). */
export function tlsSecret(namespace: string, name: string, pair: Partial<CertPair>, type = 'kubernetes.io/tls') {
  const data: Record<string, string> = {};
  if (pair.crt !== undefined) data['tls.crt'] = Buffer.from(pair.crt).toString('base64');
  if (pair.key !== undefined) data['tls.key'] = Buffer.from(pair.key).toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type, data };
}
