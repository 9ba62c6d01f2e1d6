// The HTTP client under client-node's generated APIs (its `HttpLibrary` extension point, passed
// as the per-call `httpApi` option): node:http(s) with one keep-alive Agent per client.
// client-node's own library is undici's fetch, which hands bodies over as web streams and
// decodes gzip in 16 KB stream steps; node:https with zlib in 64 KB steps reads the same pages of
// a cluster-wide scan for ≈ 0.2 s less CPU and less memory (BENCHMARKS.md, "Where the time and
// memory go"). Everything else stays client-node's: the
// request (URL, query, body, headers) is built by its request factories, authentication
// (token, exec plugin, client certificate, basic, impersonation) by its KubeConfig on the
// RequestContext, and answers are read by its response processors. The TLS settings are
// client-node's too: the connect options it computes for its own dispatcher
// (KubeConfig.createDispatcherOptions). Clusters reached through a proxy keep client-node's
// fetch (ClusterClient does not pass this library for them).
import type * as Http from 'node:http';
import type { Readable } from 'node:stream';
import type * as Zlib from 'node:zlib';
import type { DispatcherOptions, HttpLibrary, RequestContext, ResponseBody, ResponseContext as ResponseContextType } from '@kubernetes/client-node';
import { ResponseContext, wrapHttpLibrary } from './k8s.js';

// Node's built-ins as CommonJS objects, as the client-node bundle takes them (build/vendor.mjs): an
// ESM import of node:http builds its ESM face, whose WebSocket export loads Node's own undici.
// process.getBuiltinModule needs no import.meta.url, which the single-file build (CommonJS) lacks.
const http = process.getBuiltinModule('node:http') as typeof Http;
const https = process.getBuiltinModule('node:https') as typeof import('node:https');
const zlib = process.getBuiltinModule('node:zlib') as typeof Zlib;
const { pipeline } = process.getBuiltinModule('node:stream') as typeof import('node:stream');

type TlsOptions = Extract<DispatcherOptions, { type: 'agent' }>['connect'];

/**
 * Inflated output comes in pieces of this size: zlib's default, 16 KB, means ≈ 200 callbacks
 * for a page of 500 Pods (≈ 3 MB of JSON). Measured at 20,000 Pods: 64 KB and 256 KB steps
 * cost the same CPU, ≈ 0.2 s less than 16 KB ones; a page collected and inflated at once
 * cost more memory (≈ 60 MB more peak RSS, whole pages alive at once) and no less CPU.
 */
const INFLATE_CHUNK = 64 * 1024;

/** The body of one answer: its bytes as they arrive, inflated when the server compressed them. */
class NodeBody implements ResponseBody {
  private decoded?: Readable;
  constructor(
    private readonly res: Http.IncomingMessage,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private open(): Readable {
    if (this.decoded) return this.decoded;
    const { res, signal } = this;
    if (signal) {
      const onAbort = () => res.destroy(abortError(signal));
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        res.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
    const encoding = res.headers['content-encoding']?.trim().toLowerCase();
    let inflater: Zlib.Gunzip | Zlib.Inflate | undefined;
    if (encoding === 'gzip' || encoding === 'x-gzip') inflater = zlib.createGunzip({ chunkSize: INFLATE_CHUNK });
    else if (encoding === 'deflate') inflater = zlib.createInflate({ chunkSize: INFLATE_CHUNK });
    else if (encoding && encoding !== 'identity') {
      res.destroy(new Error(`the API server answered with content-encoding ${encoding}, which kdiag did not ask for`));
    }
    // pipeline: a connection lost mid-body (or the signal) fails the inflater's reader too.
    this.decoded = inflater ? pipeline(res, inflater, () => {}) : res;
    return this.decoded;
  }

  async binary(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.open()) chunks.push(chunk as Buffer);
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  async text(): Promise<string> {
    return (await this.binary()).toString('utf8');
  }

  /**
   * The decoded body as a Node stream (an async iterable of Buffers: what kdiag's list parser
   * reads, src/cluster/page.ts). client-node types this as a web ReadableStream, which only its
   * own fetch library returns; kdiag's list processor accepts any async iterable of bytes.
   */
  stream(): ReadableStream<Uint8Array> | null {
    // cast: see above; the list processor iterates it, nothing reads it as a web stream.
    return this.open() as unknown as ReadableStream<Uint8Array>;
  }
}

/** What fetch throws when its signal fires: an AbortError carrying the signal's reason (a TimeoutError for AbortSignal.timeout). */
function abortError(signal: AbortSignal | undefined): Error {
  return Object.assign(new Error('the request was aborted', { cause: signal?.reason }), { name: 'AbortError' });
}

/** Request headers without undefined values, asking for gzip (as fetch does). */
function requestHeaders(request: RequestContext): Record<string, string> {
  const headers: Record<string, string> = {};
  let encoding = false;
  for (const [name, value] of Object.entries(request.getHeaders())) {
    if (value === undefined) continue;
    headers[name] = value;
    if (name.toLowerCase() === 'accept-encoding') encoding = true;
  }
  if (!encoding) headers['Accept-Encoding'] = 'gzip';
  return headers;
}

function requestBody(request: RequestContext): string | undefined {
  const body = request.getBody();
  if (body === undefined || typeof body === 'string') return body;
  // URLSearchParams and FormData bodies are for form posts, which no Kubernetes API call kdiag makes uses.
  throw new Error('kdiag sends only JSON bodies to the API server');
}

/** Lower-cased header names, as fetch reports them; repeated headers joined with ", ". */
function responseHeaders(res: Http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export class NodeTransport {
  private tls: TlsOptions = {};
  private agent?: Http.Agent;

  /**
   * The TLS settings client-node computed for this kubeconfig's cluster and user (CA, client
   * certificate and key, skip-verify, server name). Called before the first request; an Agent
   * made earlier is replaced.
   */
  useTls(options: DispatcherOptions): void {
    this.tls = options.type === 'agent' ? options.connect : {};
    this.agent?.destroy();
    this.agent = undefined;
  }

  /** client-node's HttpLibrary: one request, answered once the status and headers are in (the body is read by the processor). */
  readonly library: HttpLibrary = wrapHttpLibrary({ send: (request) => this.send(request) });

  private async send(request: RequestContext): Promise<ResponseContextType> {
    const url = new URL(request.getUrl());
    const secure = url.protocol === 'https:';
    const lib = secure ? https : http;
    // One Agent per client: requests reuse kept-alive connections. TCP keep-alive probes after
    // 30 s idle, as client-node sets for its own connections.
    this.agent ??= secure
      ? new https.Agent({ ...this.tls, keepAlive: true, keepAliveMsecs: 30_000 })
      : new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000 });
    const signal = request.getSignal();
    const body = requestBody(request);
    const headers = requestHeaders(request);
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const res = await new Promise<Http.IncomingMessage>((resolve, reject) => {
      const req = lib.request(url, { method: request.getHttpMethod(), headers, agent: this.agent, signal }, resolve);
      // Errors after the answer arrived (a connection lost mid-body) reach the body's reader too.
      req.on('error', (err) => reject(err.name === 'AbortError' ? abortError(signal) : err));
      req.end(body);
    });
    return new ResponseContext(res.statusCode ?? 0, responseHeaders(res), new NodeBody(res, signal));
  }

  /** Closes kept-alive connections (they do not keep the process alive in any case). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}
