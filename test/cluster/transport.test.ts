// kdiag's node:https transport under client-node's APIs (src/cluster/transport.ts), against a
// real HTTPS server in this process: the authentication client-node computes (exec plugin,
// client certificate) reaches the server, gzip answers are read, a connection lost mid-body is
// retried, and a body that stops arriving ends at the request timeout.
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ClusterClient } from '../../src/cluster/client.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { localApi, type LocalApi } from '../support/local-api.js';
import { clientCert, selfSigned, type TestCert } from '../support/tls.js';

const services = (n: number) => ({
  kind: 'ServiceList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '7' },
  items: Array.from({ length: n }, (_, i) => ({ metadata: { name: `svc-${i}`, namespace: 'shop' }, spec: { ports: [{ port: 80 }] } })),
});

const kubeconfig = (api: LocalApi, user: Record<string, unknown>) =>
  writeKubeconfig({ server: api.url, cluster: { 'certificate-authority': api.cert.certFile }, user });

interface Seen {
  authorization?: string;
  acceptEncoding?: string;
  clientCn?: string;
}

let api: LocalApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void, options: { clientCa?: TestCert } = {}) {
  const seen: Seen[] = [];
  const sockets = new Set<unknown>();
  api = await localApi((req, res) => {
    sockets.add(req.socket);
    const cert = (req.socket as TLSSocket).getPeerCertificate?.();
    seen.push({
      authorization: req.headers.authorization,
      acceptEncoding: req.headers['accept-encoding'],
      clientCn: cert && 'subject' in cert ? String(cert.subject?.CN) : undefined,
    });
    handler(req, res, seen);
  }, options);
  return { api, seen, sockets };
}

const json = (res: ServerResponse, body: unknown, gzip = false) => {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'Content-Type': 'application/json', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) });
  res.end(gzip ? gzipSync(text) : text);
};

describe('the node:https transport', () => {
  it("sends the exec plugin's token and reads a gzip-compressed list", async () => {
    const { api, seen } = await serve((_req, res) => json(res, services(3), true));
    const plugin = join(mkdtempSync(join(tmpdir(), 'kdiag-exec-')), 'plugin.js');
    writeFileSync(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-token-81f2' } }));\n`,
    );
    const user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], interactiveMode: 'Never' } };
    const client = new ClusterClient({ kubeconfig: kubeconfig(api, user) });
    const items = await client.list('services', 'shop');
    expect(items.map((s) => s.metadata?.name)).toEqual(['svc-0', 'svc-1', 'svc-2']);
    expect(seen[0]!.authorization).toBe('Bearer exec-token-81f2');
    expect(seen[0]!.acceptEncoding).toContain('gzip');
  });

  it('presents the client certificate of the kubeconfig, on one kept-alive connection', async () => {
    const ca = selfSigned('client-ca');
    const alice = clientCert(ca, 'alice');
    const { api, seen, sockets } = await serve((_req, res) => json(res, services(1)), { clientCa: ca });
    const client = new ClusterClient({ kubeconfig: kubeconfig(api, { 'client-certificate': alice.certFile, 'client-key': alice.keyFile }) });
    await client.list('services', 'shop');
    await client.list('services', 'shop');
    expect(seen.map((s) => s.clientCn)).toEqual(['alice', 'alice']);
    expect(sockets.size).toBe(1);
  });

  it('retries a list whose connection is lost in the middle of the body', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify(services(400))));
    const { api, seen } = await serve((_req, res, seen) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      if (seen.length > 1) return res.end(body);
      res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
    });
    const client = new ClusterClient({ kubeconfig: kubeconfig(api, { token: 't0k3n' }) });
    expect(await client.list('services', 'shop')).toHaveLength(400);
    expect(seen).toHaveLength(2);
    expect(client.totalRequests()).toBe(2);
  });

  it('stops at the request timeout when the body stops arriving', async () => {
    const { api } = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"kind":"ServiceList","items":[{"metadata":{"name":"a"}},');
    });
    const client = new ClusterClient({ kubeconfig: kubeconfig(api, { token: 't0k3n' }), requestTimeoutMs: 500 });
    const started = Date.now();
    await expect(client.list('services', 'shop')).rejects.toThrow(/did not answer within 0\.5s \(--request-timeout\)/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
