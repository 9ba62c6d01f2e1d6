// Input validation: anything that reaches the API or a probe pod is checked here first.
import { UsageError } from './errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function printable(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/** Namespaces and Service names: DNS-1123 labels (lower case, digits, '-', at most 63). */
export function dnsLabel(value: string, what: string): string {
  if (value.length === 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new UsageError(
      `invalid ${what} ${printable(value)}: must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    );
  }
  return value;
}

/** Object names such as Ingresses, Pods and Secrets: DNS-1123 subdomains. */
export function dnsSubdomain(value: string, what: string): string {
  if (value.length === 0 || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new UsageError(`invalid ${what} ${printable(value)}: must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)`);
  }
  return value;
}

export function port(value: string | number, what = 'port'): number {
  const text = String(value).trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UsageError(`invalid ${what} ${printable(text)}: must be a number from 1 to 65535`);
  }
  return n;
}

/** kubectl's --request-timeout: "0" (none), a bare number of seconds, or 500ms / 30s / 2m / 1h. */
export function duration(value: string, what = '--request-timeout'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new UsageError(`invalid ${what} ${printable(value)}: use a duration such as 30s, 2m or 500ms (0 for none)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return Math.round(n * factor);
}

/** An HTTP path for probes: starts with '/', printable ASCII without spaces, quotes or backslashes. */
export function urlPath(value: string, what = '--path'): string {
  if (value.length === 0 || value.length > 1024 || !value.startsWith('/') || !/^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/.test(value) || /['\\]/.test(value)) {
    throw new UsageError(`invalid ${what} ${printable(value)}: must start with '/' and contain only URL characters (no spaces, quotes or control characters)`);
  }
  return value;
}

/** A host to probe: a DNS-1123 subdomain (optionally with a trailing dot) or an IPv4 address. */
export function probeHost(value: string, what = 'host'): string {
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  if (ipv4) {
    if (ipv4.slice(1).every((o) => Number(o) <= 255)) return value;
    throw new UsageError(`invalid ${what} ${printable(value)}: not an IPv4 address`);
  }
  const bare = value.endsWith('.') ? value.slice(0, -1) : value;
  dnsSubdomain(bare, what);
  return value;
}

/** A `key=value[,key=value]` label list (--from-labels, --node-selector) with valid label keys and values. */
export function labelMap(value: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
  const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    const k = eq > 0 ? pair.slice(0, eq) : '';
    const v = eq > 0 ? pair.slice(eq + 1) : '';
    if (!KEY.test(k) || !VALUE.test(v)) {
      throw new UsageError(`invalid ${what} ${printable(value)}: use key=value pairs separated by commas, with valid label keys and values`);
    }
    out[k] = v;
  }
  return out;
}

/** A container image reference: [registry[:port]/]path[:tag][@digest], nothing a shell would read. */
export function imageReference(value: string, what = '--image'): string {
  if (
    value.length === 0 ||
    value.length > 512 ||
    !/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(value)
  ) {
    throw new UsageError(`invalid ${what} ${printable(value)}: not a container image reference (e.g. registry.example.com/busybox:1.36)`);
  }
  return value;
}
