// The fake API (fake-api.ts) served over real HTTPS on 127.0.0.1, for tests that run the real
// kdiag binary in a child process (nock only intercepts inside the test process). Watches are
// held open silently, like an API server with nothing to report; `delayMs` makes answers slow
// (long steps). Nothing here touches nock, so the test's own fake API stays separate.
import { fakeApiHandler, serialize, type FakeApiHandler, type FakeApiOptions } from './fake-api.js';
import type { K8sObject } from './fixtures.js';
import { writeKubeconfig } from './kubeconfig.js';
import { localApi } from './local-api.js';

export interface FakeApiServer {
  /** The requests answered, and those the fake API does not know. */
  api: Pick<FakeApiHandler, 'requests' | 'unexpected'>;
  url: string;
  /** A kubeconfig for this server (token auth, its self-signed certificate as the CA). */
  kubeconfig: string;
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
      const url = new URL(uri, 'https://fake.invalid');
      if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
        api.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        return;
      }
      const reply = () => {
        const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
        const [status, text, headers] = serialize(api.handle(req.method ?? 'GET', uri, body));
        if (!res.destroyed) res.writeHead(status, headers).end(text);
      };
      const delay = typeof options.delayMs === 'function' ? options.delayMs(url.pathname, url.searchParams) : (options.delayMs ?? 0);
      if (delay > 0) setTimeout(reply, delay).unref();
      else reply();
    });
  });
  const kubeconfig = writeKubeconfig({
    server: server.url,
    cluster: { 'certificate-authority': server.cert.certFile },
    user: { token: 'fake-token-0123456789abcdef' },
    context: 'fake',
  });
  return { api, url: server.url, kubeconfig, received: () => received, close: () => server.close() };
}
