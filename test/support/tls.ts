// Throw-away certificates for tests, made with openssl at test time (no key is checked in).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  dir: string;
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** A self-signed certificate for `cn` with the given SANs, valid from `days` (negative = expired). */
export function selfSigned(cn: string, options: { sans?: string[]; days?: number; notBeforeOffsetDays?: number } = {}): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-cert-'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  const sans = options.sans ?? [`DNS:${cn}`];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      `/CN=${cn}`,
      '-days',
      String(options.days ?? 30),
      '-addext',
      `subjectAltName=${sans.join(',')}`,
    ],
    { stdio: 'ignore' },
  );
  return { dir, certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** A client certificate signed by `ca` (days 0: already expired a second later). */
export function clientCert(ca: TestCert, cn: string, days = 30): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-client-'));
  const certFile = join(dir, 'client.crt');
  const keyFile = join(dir, 'client.key');
  const csr = join(dir, 'client.csr');
  execFileSync(
    'openssl',
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${cn}`],
    { stdio: 'ignore' },
  );
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', certFile, '-days', String(days)], {
    stdio: 'ignore',
  });
  return { dir, certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
