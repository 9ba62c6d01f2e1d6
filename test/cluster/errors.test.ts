// What the client library throws → kdiag's error with status and reason. Callers branch on
// those fields, so these cases pin the mapping; the message text is free to change.
import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { apiReason, toKdiagError, type RequestTarget } from '../../src/cluster/errors.js';
import { isForbidden, isNamespaceNotFound, isNotFound, KdiagError, UsageError } from '../../src/errors.js';

const SERVER = 'https://127.0.0.1:6443';
const status = (code: number, reason?: string, message?: string, details?: object) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
  ...(details ? { details } : {}),
});
const api = (code: number, body: unknown) => new ApiException(code, `HTTP-Code: ${code}`, body, {});
const listPods: RequestTarget = { verb: 'list', resource: 'pods', namespace: 'prod' };
const getService: RequestTarget = { verb: 'get', resource: 'services', namespace: 'prod', name: 'web' };
const netError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

describe('toKdiagError: status and reason', () => {
  const cases: [string, unknown, RequestTarget, { status?: number; reason: string; details?: object }][] = [
    ['401', api(401, status(401, 'Unauthorized', 'Unauthorized')), listPods, { status: 401, reason: 'Unauthorized' }],
    [
      '403 from RBAC',
      api(403, status(403, 'Forbidden', 'pods is forbidden: User "x" cannot list resource "pods"', { kind: 'pods' })),
      listPods,
      { status: 403, reason: 'Forbidden', details: { kind: 'pods' } },
    ],
    ['403 without a body', api(403, undefined), listPods, { status: 403, reason: 'Forbidden' }],
    [
      '404 for the namespace (Status details name it)',
      api(404, status(404, 'NotFound', 'namespaces "prod" not found', { name: 'prod', kind: 'namespaces' })),
      getService,
      { status: 404, reason: 'NotFound', details: { kind: 'namespaces', name: 'prod' } },
    ],
    ['404 with no body on a namespaced request', api(404, ''), listPods, { status: 404, reason: 'NotFound', details: { kind: 'namespaces', name: 'prod' } }],
    [
      '404 for the object',
      api(404, status(404, 'NotFound', 'services "web" not found', { name: 'web', kind: 'services' })),
      getService,
      { status: 404, reason: 'NotFound', details: { kind: 'services', name: 'web' } },
    ],
    [
      '404 for an API that is not served (text body)',
      api(404, '404 page not found'),
      { verb: 'list', resource: 'endpointslices' },
      { status: 404, reason: 'NotFound' },
    ],
    ['409 keeps the API reason', api(409, status(409, 'AlreadyExists', 'jobs "p" already exists')), listPods, { status: 409, reason: 'AlreadyExists' }],
    ['409 without a Status', api(409, undefined), listPods, { status: 409, reason: 'Conflict' }],
    ['429', api(429, status(429, 'TooManyRequests')), listPods, { status: 429, reason: 'TooManyRequests' }],
    ['500 keeps the API reason', api(500, JSON.stringify(status(500, 'InternalError', 'etcd is down'))), listPods, { status: 500, reason: 'InternalError' }],
    ['503 without a reason', api(503, undefined), listPods, { status: 503, reason: 'ServiceUnavailable' }],
    ['time limit', Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }), listPods, { reason: 'Timeout' }],
    ['connection refused', netError('ECONNREFUSED'), listPods, { reason: 'Unreachable' }],
    ['name lookup', netError('ENOTFOUND'), listPods, { reason: 'Unreachable' }],
    ['untrusted certificate', netError('SELF_SIGNED_CERT_IN_CHAIN'), listPods, { reason: 'TLSFailure' }],
    ['unknown TLS code', netError('ERR_SSL_SOMETHING_NEW'), listPods, { reason: 'TLSFailure' }],
    ['anything else', new Error('socket hang up'), listPods, { reason: 'RequestFailed' }],
  ];

  it.each(cases)('%s', (_name, thrown, target, expected) => {
    const err = toKdiagError(thrown, SERVER, target, 5000);
    expect(err).toBeInstanceOf(KdiagError);
    expect(err.status).toBe(expected.status);
    expect(err.reason).toBe(expected.reason);
    if (expected.details) expect(err.details).toEqual(expect.objectContaining(expected.details));
    expect(err.exitCode).toBe(2);
  });

  it('passes kdiag errors through unchanged', () => {
    const own = new KdiagError('already mapped', { status: 403, reason: 'Forbidden' });
    expect(toKdiagError(own, SERVER, listPods)).toBe(own);
  });

  it('takes the reason of 401/403/404/429 from the code, of others from the Status', () => {
    expect(apiReason(404, status(404, 'Gone'))).toBe('NotFound');
    expect(apiReason(500, status(500, 'InternalError'))).toBe('InternalError');
    expect(apiReason(418, undefined)).toBe('Unknown');
    expect(apiReason(418, status(418, 'Teapot'))).toBe('Teapot');
  });
});

describe('classifying kdiag errors', () => {
  it('answers from status and reason, not from the message', () => {
    // A message that reads like a 403 or a missing namespace decides nothing.
    const worded = new KdiagError('you lack `list` on `pods` (403 Forbidden); namespace prod not found');
    expect(isForbidden(worded)).toBe(false);
    expect(isNotFound(worded)).toBe(false);
    expect(isNamespaceNotFound(worded)).toBe(false);

    const forbidden = new KdiagError('reworded entirely', { status: 403, reason: 'Forbidden' });
    expect(isForbidden(forbidden)).toBe(true);
    expect(isNotFound(forbidden)).toBe(false);
  });

  it('tells a missing namespace from a missing object', () => {
    const ns = toKdiagError(api(404, status(404, 'NotFound', 'namespaces "prod" not found', { name: 'prod', kind: 'namespaces' })), SERVER, getService);
    const object = toKdiagError(api(404, status(404, 'NotFound', 'services "web" not found', { name: 'web', kind: 'services' })), SERVER, getService);
    expect(isNotFound(ns) && isNotFound(object)).toBe(true);
    expect(isNamespaceNotFound(ns)).toBe(true);
    expect(isNamespaceNotFound(ns, 'prod')).toBe(true);
    expect(isNamespaceNotFound(ns, 'staging')).toBe(false);
    expect(isNamespaceNotFound(object)).toBe(false);
  });

  it('ignores errors that are not kdiag errors', () => {
    expect(isForbidden(Object.assign(new Error('403 Forbidden'), { reason: 'Forbidden' }))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
  });

  it('marks bad input as Usage', () => {
    expect(new UsageError('bad flag').reason).toBe('Usage');
  });
});
