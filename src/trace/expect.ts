// What the controller should answer, from kdiag's analysis of the request (the hop where it
// stops and the controller's known behaviour), and how that compares with what a probe
// really got back. Pure.
import { answerPhrase, type ControllerAnswers, type ControllerProfile } from '../checks/data/controllers.js';
import { hostMatches } from '../checks/ingress-match.js';
import type { Hop, TraceResult } from './trace.js';

export interface Expectation {
  /** The hop the analysis stops at, TLS aside (null: the request reaches a Pod). */
  stopsAt: Hop['id'] | null;
  /** The HTTP status the controller should answer; undefined when kdiag cannot tell. */
  status?: number;
  /** With stopsAt null: the ready backend Pods, one of which should answer. */
  pods?: string[];
  /** For https: whether the certificate presented should be valid for the host. */
  certificateValid?: boolean;
  /** One sentence: why this answer. */
  because: string;
}

/** A certificate as the probe saw it (the first of the chain). */
export interface PresentedCertificate {
  subject: string;
  issuer?: string;
  sans: string[];
  notBefore?: string;
  notAfter?: string;
}

export interface Observation {
  /** HTTP status; undefined when no HTTP answer came back. */
  status?: number;
  /** curl's error text when the request failed. */
  error?: string;
  certificate?: PresentedCertificate;
  /** The Pod named in the backend's JSON answer. */
  pod?: string;
  /** Where the request was sent (IP:port). */
  address: string;
}

/** The answer key for the hop the request stops at (undefined: the status cannot be predicted). */
export function answerKey(stop: Hop): keyof ControllerAnswers | undefined {
  switch (stop.id) {
    case 'ingress-rule':
      return 'noRoute';
    case 'route':
      return /has no backendRefs|weight 0/.test(stop.detail) ? undefined : 'noRoute';
    case 'gateway':
      // No listener for the host: the proxy on that port has no route for it.
      return stop.detail.startsWith('no Gateway listener serves') ? 'noRoute' : undefined;
    case 'service':
      if (stop.detail.startsWith('does not exist')) return 'missingService';
      if (stop.detail.startsWith('has no port')) return 'missingPort';
      if (stop.detail.startsWith('reference not permitted')) return 'refNotPermitted';
      return undefined;
    case 'endpoints':
      return 'noEndpoints';
    default:
      return undefined;
  }
}

const KEY_TEXT: Record<keyof ControllerAnswers, string> = {
  noRoute: 'no rule matches the host and path',
  missingService: 'the backend Service does not exist',
  missingPort: 'the backend names a port the Service does not have',
  noEndpoints: 'the Service has no ready endpoint',
  refNotPermitted: 'the cross-namespace backendRef is not permitted',
};

/** The answer kdiag predicts for the traced request through the controller `profile`. */
export function expectAnswer(result: TraceResult, profile: ControllerProfile | undefined, api: 'ingress' | 'gateway', scheme: string): Expectation {
  const tls = result.hops.find((h) => h.id === 'tls');
  const certificateValid = scheme === 'https' && tls && tls.status !== 'info' && tls.status !== 'skipped' ? tls.status !== 'fail' : undefined;
  const stop = result.hops.find((h) => h.status === 'fail' && h.id !== 'tls' && h.id !== 'probe');
  const base = certificateValid === undefined ? {} : { certificateValid };
  if (!stop) {
    const endpoints = result.hops.find((h) => h.id === 'endpoints');
    const pods = (endpoints?.items ?? []).filter((i) => i.status === 'ok').map((i) => i.text.split(' ')[0]!);
    return {
      stopsAt: null,
      status: 200,
      pods,
      because: `the request reaches a ready Pod${pods.length ? ` (${pods.join(', ')})` : ''}, which answers 200`,
      ...base,
    };
  }
  const key = answerKey(stop);
  const status = key ? profile?.[api]?.[key] : undefined;
  if (key && status !== undefined) {
    return { stopsAt: stop.id, status, because: `${KEY_TEXT[key]}: ${answerPhrase(profile, api, key, '')}`, ...base };
  }
  return {
    stopsAt: stop.id,
    because: `the request stops at ${stop.title}; kdiag does not know what ${profile?.name ?? 'this controller'} answers there`,
    ...base,
  };
}

/** Whether the presented certificate is valid for `host` at `now` (and why not). */
export function certificateProblem(cert: PresentedCertificate, host: string, now: Date): string | undefined {
  const names = cert.sans.length ? cert.sans : [/CN\s*=\s*([^,/]+)/.exec(cert.subject)?.[1]?.trim() ?? ''];
  if (cert.notAfter && new Date(cert.notAfter).getTime() < now.getTime()) return `expired ${cert.notAfter}`;
  if (cert.notBefore && new Date(cert.notBefore).getTime() > now.getTime()) return `not valid before ${cert.notBefore}`;
  if (!names.some((n) => n && hostMatches(n, host))) return `issued for ${names.filter(Boolean).join(', ') || '(no name)'}, not ${host}`;
  return undefined;
}

/** The differences between the prediction and the observation (empty: they agree). */
export function compareAnswer(expected: Expectation, observed: Observation, host: string, now: Date): string[] {
  const diffs: string[] = [];
  if (observed.status === undefined) {
    if (expected.status !== undefined || expected.stopsAt === null)
      diffs.push(`expected HTTP ${expected.status}, got no answer (${observed.error ?? 'no response'})`);
    return diffs;
  }
  if (expected.status !== undefined && observed.status !== expected.status)
    diffs.push(`expected HTTP ${expected.status} (${expected.because}), got ${observed.status}`);
  if (expected.stopsAt === null && expected.pods?.length && observed.pod && !expected.pods.includes(observed.pod)) {
    diffs.push(`expected an answer from ${expected.pods.join(' or ')}, got one from ${observed.pod}`);
  }
  if (expected.certificateValid !== undefined && observed.certificate) {
    const problem = certificateProblem(observed.certificate, host, now);
    if (expected.certificateValid && problem) diffs.push(`expected a valid certificate for ${host}, got one ${problem}`);
    if (!expected.certificateValid && !problem) diffs.push(`expected an invalid certificate for ${host}, got a valid one (${observed.certificate.subject})`);
  }
  return diffs;
}
