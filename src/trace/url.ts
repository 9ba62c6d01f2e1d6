// The URL `kdiag trace` follows: validated before anything is sent.
import { UsageError } from '../errors.js';

export interface TraceRequest {
  url: string;
  scheme: 'http' | 'https';
  host: string;
  /** The port the URL names, or the scheme's default. */
  port: number;
  explicitPort: boolean;
  path: string;
  /** Set when the host names a Service (`svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`). */
  service?: { name: string; namespace: string };
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseTraceUrl(text: string, clusterDomain = 'cluster.local'): TraceRequest {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(text)) throw new UsageError(`invalid URL ${JSON.stringify(text)}: it contains spaces or control characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`invalid URL ${JSON.stringify(text)}: give a full URL such as https://api.example.com/api/v1/users`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') throw new UsageError(`unsupported URL scheme "${scheme}": kdiag trace follows http:// and https:// URLs`);
  if (url.username || url.password) throw new UsageError('invalid URL: credentials in the URL are not accepted');
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (!host) throw new UsageError(`invalid URL ${JSON.stringify(text)}: no host`);
  const port = url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;
  const request: TraceRequest = { url: url.toString(), scheme, host, port, explicitPort: Boolean(url.port), path: decodeURI(url.pathname || '/') };
  const parts = host.split('.');
  const suffix = `svc.${clusterDomain}`.split('.');
  const isServiceName =
    parts.length >= 2 &&
    parts.slice(0, 2).every((p) => LABEL.test(p)) &&
    (parts.length === 2 || parts.slice(2).join('.') === 'svc' || parts.slice(2).join('.') === suffix.join('.'));
  if (isServiceName) request.service = { name: parts[0]!, namespace: parts[1]! };
  return request;
}
