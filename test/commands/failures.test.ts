// Expected failures through the real binary: exit 2, one sentence on stderr, no stack trace.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { closedPort, localApi, type LocalApi } from '../support/local-api.js';
import { kdiagBinary } from '../support/run.js';
import { clientCert, selfSigned } from '../support/tls.js';

function expectOneSentence(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at |Error:|secret-token/);
}

describe('failures through the real binary', () => {
  let silent: LocalApi;
  let unauthorized: LocalApi;

  beforeAll(async () => {
    silent = await localApi(() => {
      /* never answers */
    });
    unauthorized = await localApi((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
    });
  });
  afterAll(async () => {
    await silent.close();
    await unauthorized.close();
  });

  it('names the server when the API is not listening', async () => {
    const port = await closedPort();
    const r = await kdiagBinary([
      'endpoints',
      '-n',
      'production',
      '--kubeconfig',
      writeKubeconfig({ server: `https://127.0.0.1:${port}`, cluster: { 'insecure-skip-tls-verify': true } }),
    ]);
    expect(r.code).toBe(2);
    expectOneSentence(
      r.stderr,
      new RegExp(`^kdiag: cannot reach https://127\\.0\\.0\\.1:${port} \\(connection refused\\): is the cluster running and is --context right\\?$`),
    );
    expect(r.stdout).toBe('');
  });

  it('names a TLS failure when the server certificate is not signed by the kubeconfig CA', async () => {
    const otherCa = selfSigned('another-ca');
    const r = await kdiagBinary([
      'services',
      '-n',
      'production',
      '--kubeconfig',
      writeKubeconfig({ server: silent.url, cluster: { 'certificate-authority': otherCa.certFile } }),
    ]);
    expect(r.code).toBe(2);
    expectOneSentence(
      r.stderr,
      /^kdiag: TLS failure talking to https:\/\/127\.0\.0\.1:\d+: .*certificate.*\(([A-Z_]+)\); check the kubeconfig's certificate-authority and client certificate$/,
    );
  });

  it('stops at --request-timeout when the API does not answer', async () => {
    const started = Date.now();
    const r = await kdiagBinary([
      'endpoints',
      '-n',
      'production',
      '--request-timeout',
      '1s',
      '--kubeconfig',
      writeKubeconfig({ server: silent.url, cluster: { 'certificate-authority': silent.cert.certFile } }),
    ]);
    expect(r.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
    expectOneSentence(r.stderr, /^kdiag: the API server at https:\/\/127\.0\.0\.1:\d+ did not answer within 1s \(--request-timeout\)$/);
  });

  it('says the credentials were rejected on 401, without printing the token', async () => {
    const r = await kdiagBinary([
      'endpoints',
      '-n',
      'production',
      '--debug',
      '--kubeconfig',
      writeKubeconfig({ server: unauthorized.url, cluster: { 'certificate-authority': unauthorized.cert.certFile } }),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kdiag: the API server at https:\/\/127\.0\.0\.1:\d+ rejected kdiag's credentials \(401 Unauthorized\)/);
    expect(r.stderr).not.toContain('secret-token-4f9a8b7c6d5e');
  });

  it('names a TLS failure when the server rejects an expired or foreign client certificate', async () => {
    const ca = selfSigned('client-ca');
    const api = await localApi((_req, res) => res.end('{}'), { clientCa: ca });
    try {
      const expired = clientCert(ca, 'alice', 0);
      await new Promise((r) => setTimeout(r, 1500));
      const foreign = clientCert(selfSigned('other-ca'), 'mallory');
      for (const cert of [expired, foreign]) {
        const r = await kdiagBinary([
          'endpoints',
          '-n',
          'production',
          '--kubeconfig',
          writeKubeconfig({
            server: api.url,
            cluster: { 'certificate-authority': api.cert.certFile },
            user: { 'client-certificate': cert.certFile, 'client-key': cert.keyFile },
          }),
        ]);
        expect(r.code).toBe(2);
        expectOneSentence(
          r.stderr,
          /^kdiag: (TLS failure talking to https:\/\/127\.0\.0\.1:\d+: the server (rejected the client certificate|rejected the client certificate as expired|does not trust the client certificate \(unknown CA\))|cannot reach https:\/\/127\.0\.0\.1:\d+ \(connection (reset|closed by the server)\))/,
        );
        expect(r.stderr).not.toContain('PRIVATE KEY');
      }
    } finally {
      await api.close();
    }
  }, 30_000);

  it('stops within 2 s on SIGINT and SIGTERM while the API does not answer', async () => {
    const { spawn } = await import('node:child_process');
    const { ROOT } = await import('../support/run.js');
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const child = spawn(process.execPath, [
        join(ROOT, 'bin', 'run.js'),
        'check',
        '-n',
        'production',
        '--request-timeout',
        '60s',
        '--kubeconfig',
        writeKubeconfig({ server: silent.url, cluster: { 'certificate-authority': silent.cert.certFile } }),
      ]);
      await new Promise((r) => setTimeout(r, 1500));
      const started = Date.now();
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      child.kill(signal);
      await exited;
      expect(Date.now() - started).toBeLessThan(2000);
    }
  }, 30_000);

  it.each([
    ['an unknown flag', ['endpoints', '--bogus'], /^kdiag: Nonexistent flag: --bogus/],
    [
      'an unknown command',
      ['endpoint'],
      /^kdiag: unknown command "endpoint": did you mean "endpoints"\? commands are check, cleanup, .*endpoints.* \(see kdiag --help\)$/,
    ],
    ['an unknown output format', ['endpoints', '-o', 'xml'], /^kdiag: unknown output format "xml": use one of table, wide, json, yaml$/],
    ['a namespace with shell metacharacters', ['endpoints', '-n', 'prod;rm -rf /'], /^kdiag: invalid namespace "prod;rm -rf \/": must be a DNS-1123 label/],
    ['a namespace with $(id)', ['services', '-n', '$(id)'], /^kdiag: invalid namespace "\$\(id\)": must be a DNS-1123 label/],
    ['a Service name with backticks', ['endpoints', '`id`', '-n', 'production'], /^kdiag: invalid Service name "`id`": must be a DNS-1123 label/],
    ['a Service name with a newline', ['endpoints', 'api\nservice'], /^kdiag: invalid Service name "api\\nservice": must be a DNS-1123 label/],
    ['a bad --request-timeout', ['endpoints', '--request-timeout', 'soon'], /^kdiag: invalid --request-timeout "soon"/],
    ['a bad --fail-on', ['endpoints', '--fail-on', 'fatal'], /^kdiag: Expected --fail-on=fatal to be one of: error, warning, info/],
    ['a missing kubeconfig', ['endpoints', '--kubeconfig', '/nonexistent/config'], /^kdiag: kubeconfig \/nonexistent\/config does not exist/],
    ['a context that does not exist', ['endpoints', '--context', 'nope', '--kubeconfig', 'KC'], /^kdiag: context "nope" not found in .* \(contexts: t\)$/],
    ['a mistyped context', ['endpoints', '--context', 'tt', '--kubeconfig', 'KC'], /^kdiag: context "tt" not found in .* \(contexts: t\); did you mean t\?$/],
    ['a mistyped command', ['netpol', 'explian'], /^kdiag: unknown command "netpol explian": did you mean "netpol explain"\? commands are /],
  ])('rejects %s with exit 2', async (_what, args, pattern) => {
    const kc = writeKubeconfig({ server: 'https://127.0.0.1:1', cluster: { 'insecure-skip-tls-verify': true } });
    const r = await kdiagBinary(args.map((a) => (a === 'KC' ? kc : a)));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('lists flags, examples and exit codes in --help', async () => {
    const root = await kdiagBinary(['--help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toContain('EXIT CODES');
    expect(root.stdout).toMatch(/endpoints\s+Services with no ready endpoints/);
    const cmd = await kdiagBinary(['endpoints', '--help']);
    for (const text of [
      '--kubeconfig',
      '--context',
      '-n, --namespace',
      '-A, --all-namespaces',
      '-o, --output',
      '--fail-on',
      '--request-timeout',
      'EXAMPLES',
      '$ kdiag endpoints -n production',
      'EXIT CODES',
      '2  kdiag could not do its job',
    ]) {
      expect(cmd.stdout).toContain(text);
    }
  });
});
