// A real HTTPS server on 127.0.0.1 for failures nock cannot fake (TLS, refused, silence).
import { createServer as createHttps, type Server } from 'node:https';
import { createServer as createNet, type AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { selfSigned, type TestCert } from './tls.js';

export interface LocalApi {
  url: string;
  cert: TestCert;
  close(): Promise<void>;
}

export async function localApi(handler: (req: IncomingMessage, res: ServerResponse) => void, options: { clientCa?: TestCert } = {}): Promise<LocalApi> {
  const cert = selfSigned('127.0.0.1', { sans: ['IP:127.0.0.1'] });
  // With clientCa, the server requires a client certificate signed by it (like kube-apiserver's --client-ca-file).
  const tls = options.clientCa ? { requestCert: true, rejectUnauthorized: true, ca: [options.clientCa.cert] } : {};
  const server: Server = createHttps({ cert: cert.cert, key: cert.key, ...tls }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    cert,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNet();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
