// The fake API (fake-api.ts) on a real HTTPS socket on 127.0.0.1, for the real binary in a
// child process (nock only intercepts in the test process). Watches are held open silently,
// like an API server with nothing to report; `delayMs` makes answers slow (long steps).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeApiHandler, serialize, type FakeApiOptions, type RequestRecord } from './fake-api.js';
import type { K8sObject } from './fixtures.js';
import { localApi } from './local-api.js';

export interface FakeApiServer {
  url: string;
  /** A kubeconfig for this server (token auth, its certificate as CA). */
  kubeconfig: string;
  requests: RequestRecord[];
  unexpected: string[];
  /** Requests that have arrived (answered or, with delayMs, still waiting). */
  received(): number;
  close(): Promise<void>;
}

export interface FakeApiServerOptions extends FakeApiOptions {
  /** Answer late: after this many ms, for every request or for those the function picks. */
  delayMs?: number | ((path: string, query: URLSearchParams) => number);
}

export async function fakeApiServer(objects: readonly K8sObject[], options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const api = fakeApiHandler(objects, options);
  let received = 0;
  const server = await localApi((req, res) => {
    received += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const uri = req.url ?? '/';
      const query = new URL(uri, 'https://fake.invalid').searchParams;
      if (query.get('watch') === 'true' || query.get('watch') === '1') {
        api.requests.push({ method: req.method ?? 'GET', path: new URL(uri, 'https://fake.invalid').pathname, query });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        return;
      }
      const reply = () => {
        const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
        const [status, text, headers] = serialize(api.handle(req.method ?? 'GET', uri, body));
        if (!res.destroyed) res.writeHead(status, headers).end(text);
      };
      const delay = typeof options.delayMs === 'function' ? options.delayMs(new URL(uri, 'https://fake.invalid').pathname, query) : (options.delayMs ?? 0);
      if (delay > 0) setTimeout(reply, delay).unref();
      else reply();
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-pty-kc-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: fake
clusters:
- name: fake
  cluster:
    server: ${server.url}
    certificate-authority: ${server.cert.certFile}
contexts:
- name: fake
  context: { cluster: fake, user: fake }
users:
- name: fake
  user:
    token: fake-token-0123456789abcdef
`,
  );
  return { url: server.url, kubeconfig, requests: api.requests, unexpected: api.unexpected, received: () => received, close: () => server.close() };
}
