// The fake API (fake-api.ts) served over real HTTPS on 127.0.0.1, for tests that run the
// real kdiag binary in a child process (nock only intercepts inside the test process).
import type { IncomingMessage } from 'node:http';
import { fakeApi, serialize, testKubeconfig, type FakeApi, type FakeApiOptions } from './fake-api.js';
import type { K8sObject } from './fixtures.js';
import { localApi } from './local-api.js';

export interface FakeApiServer {
  api: FakeApi;
  url: string;
  /** A kubeconfig for this server (token auth, TLS verification off: the certificate is self-signed). */
  kubeconfig: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function fakeApiServer(objects: readonly K8sObject[], options: FakeApiOptions = {}): Promise<FakeApiServer> {
  const api = fakeApi(objects, options);
  const server = await localApi((req, res) => {
    void readBody(req).then((body) => {
      const [status, text, headers] = serialize(api.handler(req.method ?? 'GET', req.url ?? '/', body || undefined));
      res.writeHead(status, headers).end(text);
    });
  });
  return { api, url: server.url, kubeconfig: testKubeconfig({ server: server.url }), close: () => server.close() };
}
