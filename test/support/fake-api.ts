// A fake Kubernetes API for nock: serves fixture objects by path (list, get) with real
// paging (limit/continue), fails on any request it does not know, and can inject faults.
import nock from 'nock';
import type { K8sObject } from './fixtures.js';
import { writeKubeconfig } from './kubeconfig.js';
import { matchesSelector } from '../../src/checks/lib/labels.js';
import { parseLabelSelector } from '../../src/netpol/needed-pods.js';

export const SERVER = 'https://kdiag-test.invalid:6443';

const RESOURCE_KIND: Record<string, string> = {
  namespaces: 'Namespace',
  nodes: 'Node',
  services: 'Service',
  endpoints: 'Endpoints',
  endpointslices: 'EndpointSlice',
  pods: 'Pod',
  configmaps: 'ConfigMap',
  secrets: 'Secret',
  ingresses: 'Ingress',
  ingressclasses: 'IngressClass',
  networkpolicies: 'NetworkPolicy',
  daemonsets: 'DaemonSet',
  deployments: 'Deployment',
  events: 'Event',
  jobs: 'Job',
  clusterissuers: 'ClusterIssuer',
  issuers: 'Issuer',
  certificates: 'Certificate',
  gatewayclasses: 'GatewayClass',
  gateways: 'Gateway',
  httproutes: 'HTTPRoute',
  grpcroutes: 'GRPCRoute',
  referencegrants: 'ReferenceGrant',
  adminnetworkpolicies: 'AdminNetworkPolicy',
  baselineadminnetworkpolicies: 'BaselineAdminNetworkPolicy',
  clusternetworkpolicies: 'ClusterNetworkPolicy',
  ciliumnetworkpolicies: 'CiliumNetworkPolicy',
  ciliumclusterwidenetworkpolicies: 'CiliumClusterwideNetworkPolicy',
  globalnetworkpolicies: 'GlobalNetworkPolicy',
  clusterroles: 'ClusterRole',
  clusterrolebindings: 'ClusterRoleBinding',
};

/** The API groups a real cluster of this fake serves: the built-in ones and those of the fixtures. */
const BUILTIN_GROUP_VERSIONS = ['apps/v1', 'batch/v1', 'discovery.k8s.io/v1', 'networking.k8s.io/v1', 'authorization.k8s.io/v1'];

function groupOf(apiVersion: string | undefined): string {
  return apiVersion?.includes('/') ? apiVersion.split('/')[0]! : '';
}

/** GET /apis: an APIGroupList of the built-in groups and those the fixtures' apiVersions name. */
function apiGroupList(objects: readonly K8sObject[]) {
  const versions = new Set([
    ...BUILTIN_GROUP_VERSIONS,
    ...objects.map((o) => (o as { apiVersion?: string }).apiVersion).filter((v): v is string => Boolean(v?.includes('/'))),
  ]);
  const groups = new Map<string, string[]>();
  for (const gv of versions) groups.set(groupOf(gv), [...(groups.get(groupOf(gv)) ?? []), gv]);
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, gvs]) => ({
      name,
      versions: gvs.map((groupVersion) => ({ groupVersion, version: groupVersion.split('/')[1] })),
      preferredVersion: { groupVersion: gvs[0], version: gvs[0]!.split('/')[1] },
    })),
  };
}

export interface Fault {
  /** Matches the request path (without query). */
  path: RegExp;
  /** Status codes to answer, one per matching request, before serving normally. */
  statuses: number[];
  headers?: Record<string, string>;
}

export interface FakeApiOptions {
  /** Resources (plural, e.g. 'endpointslices') answered with 403. */
  forbidden?: string[];
  /**
   * A user whose only grant is a Role in this namespace: every request outside it (cluster-scoped
   * kinds, lists across all namespaces, other namespaces) is answered with 403, and so are
   * SelfSubjectAccessReviews for it.
   */
  namespaceOnly?: string;
  faults?: Fault[];
  version?: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface FakeApi {
  requests: RequestRecord[];
  unexpected: string[];
  /** Requests whose path matches. */
  count(path: RegExp): number;
  /** Answers one request (status, body, headers): for serving the same API over HTTPS (fake-api-server.ts). */
  handler(method: string, uri: string, body?: unknown): [number, unknown, Record<string, string>?];
  done(): void;
}

function parsePath(path: string): { namespace?: string; resource?: string; name?: string; sub?: string } | undefined {
  const core = /^\/api\/v1\/(.*)$/.exec(path);
  const grouped = /^\/apis\/[^/]+\/[^/]+\/(.*)$/.exec(path);
  const rest = core?.[1] ?? grouped?.[1];
  if (rest === undefined) return undefined;
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    return { namespace: parts[1], resource: parts[2], name: parts[3], sub: parts[4] };
  }
  return { resource: parts[0], name: parts[1], sub: parts[2] };
}

function forbiddenBody(verb: string, resource: string, namespace?: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'Forbidden',
    code: 403,
    message: `${resource} is forbidden: User "test" cannot ${verb} resource "${resource}"${namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'}`,
  };
}

/** Explicit length and type, so keep-alive connections delimit every response. */
export function serialize([status, body, headers]: FakeReply): [number, string, Record<string, string>] {
  const text = JSON.stringify(body);
  return [status, text, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...(headers ?? {}) }];
}

/** nock 15 hands the reply function a fetch Request (older versions: the path). */
function requestUrl(req: unknown): string {
  return typeof req === 'string' ? req : (req as { url: string }).url;
}

let active: FakeApi | undefined;

/**
 * Ends the fake API of the test that just ran (test/setup-nock.ts calls it after every unit
 * test, which then asserts that it saw no request it does not know) and resets nock.
 */
export function endFakeApi(): FakeApi | undefined {
  const api = active;
  active = undefined;
  api?.done();
  return api;
}

export type FakeReply = [status: number, body: unknown, headers?: Record<string, string>];

export interface FakeApiHandler {
  requests: RequestRecord[];
  unexpected: string[];
  /** The answer to one request (`uri` is a path with query, or a full URL). */
  handle(method: string, uri: string, body?: unknown): FakeReply;
}

/**
 * The fake API's answers, independent of transport: nock serves them in the test process
 * (fakeApi) and test/support/fake-api-server.ts on a real socket for the real binary.
 */
export function fakeApiHandler(objects: readonly K8sObject[], options: FakeApiOptions = {}): FakeApiHandler {
  const requests: RequestRecord[] = [];
  const unexpected: string[] = [];
  const faultState = (options.faults ?? []).map((f) => ({ ...f, left: [...f.statuses] }));

  const handle = (method: string, uri: string, body?: unknown): FakeReply => {
    const url = new URL(uri, SERVER);
    requests.push({ method, path: url.pathname, query: url.searchParams });
    for (const f of faultState) {
      if (f.path.test(url.pathname) && f.left.length) {
        const code = f.left.shift()!;
        return [code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message: `injected ${code}` }, f.headers];
      }
    }
    if (url.pathname === '/version') {
      return [200, { major: '1', minor: '35', gitVersion: options.version ?? 'v1.35.0', platform: 'linux/amd64' }];
    }
    if (method === 'GET' && url.pathname === '/apis') return [200, apiGroupList(objects)];
    if (method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      const review = (typeof body === 'string' ? JSON.parse(body) : body) as {
        spec: { resourceAttributes: { resource: string; verb: string; namespace?: string } };
      };
      const attrs = review.spec.resourceAttributes;
      const outside = options.namespaceOnly !== undefined && attrs.namespace !== options.namespaceOnly;
      const allowed = !(options.forbidden ?? []).includes(attrs.resource) && !outside;
      return [201, { ...review, status: { allowed, ...(allowed ? {} : { reason: 'no RBAC policy matched' }) } }];
    }
    const parsed = parsePath(url.pathname);
    const kind = parsed?.resource ? RESOURCE_KIND[parsed.resource] : undefined;
    if (!parsed || !kind || method !== 'GET') {
      unexpected.push(`${method} ${url.pathname}${url.search}`);
      return [404, { kind: 'Status', code: 404, message: 'the server could not find the requested resource' }];
    }
    if (options.namespaceOnly !== undefined && parsed.namespace !== options.namespaceOnly) {
      return [403, forbiddenBody(parsed.name ? 'get' : 'list', parsed.resource!, parsed.namespace)];
    }
    if (options.forbidden?.includes(parsed.resource!)) {
      return [403, forbiddenBody(parsed.name ? 'get' : 'list', parsed.resource!, parsed.namespace)];
    }
    let items = objects.filter((o) => o.kind === kind);
    // Calico serves a NetworkPolicy kind of its own: tell them apart by the API group.
    if (kind === 'NetworkPolicy') {
      const group = /^\/apis\/([^/]+)\//.exec(url.pathname)?.[1] ?? '';
      items = items.filter((o) => groupOf((o as { apiVersion?: string }).apiVersion ?? 'networking.k8s.io/v1') === group);
    }
    if (parsed.resource === 'namespaces' && parsed.name === undefined && parsed.namespace) {
      // GET /api/v1/namespaces/{name} parsed as namespaced: handled below.
    }
    if (kind === 'Namespace' && parsed.name) {
      const ns = items.find((o) => o.metadata.name === parsed.name);
      return ns
        ? [200, ns]
        : [
            404,
            {
              kind: 'Status',
              code: 404,
              reason: 'NotFound',
              message: `namespaces "${parsed.name}" not found`,
              details: { name: parsed.name, kind: 'namespaces' },
            },
          ];
    }
    if (parsed.namespace) items = items.filter((o) => o.metadata.namespace === parsed.namespace);
    if (parsed.name) {
      const one = items.find((o) => o.metadata.name === parsed.name);
      return one
        ? [200, one]
        : [
            404,
            {
              kind: 'Status',
              code: 404,
              reason: 'NotFound',
              message: `${parsed.resource} "${parsed.name}" not found`,
              details: { name: parsed.name, kind: parsed.resource },
            },
          ];
    }
    for (const term of (url.searchParams.get('fieldSelector') ?? '').split(',').filter(Boolean)) {
      const [field, value] = term.split('=');
      if (field === 'type') items = items.filter((o) => (o as { type?: string }).type === value);
      if (field === 'metadata.name') items = items.filter((o) => o.metadata.name === value);
    }
    // Label selectors as kdiag sends them: k=v, and the set-based forms (k in (a,b), k notin (a), k, !k).
    const labelSelector = url.searchParams.get('labelSelector');
    if (labelSelector) {
      const selector = parseLabelSelector(labelSelector);
      items = items.filter((o) => matchesSelector(selector, o.metadata.labels ?? {}));
    }
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const start = Number(url.searchParams.get('continue') ?? '0');
    const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
    const next = limit > 0 && start + limit < items.length ? String(start + limit) : undefined;
    return [200, { kind: `${kind}List`, apiVersion: 'v1', metadata: { resourceVersion: '100', ...(next ? { continue: next } : {}) }, items: page }];
  };
  return { requests, unexpected, handle };
}

export function fakeApi(objects: readonly K8sObject[], options: FakeApiOptions = {}): FakeApi {
  // A second fake API in one test replaces the first, which must have been asked nothing unknown.
  const previous = endFakeApi();
  if (previous?.unexpected.length) throw new Error(`the previous fake API got unexpected requests: ${previous.unexpected.join(', ')}`);
  const { requests, unexpected, handle: handler } = fakeApiHandler(objects, options);
  nock.disableNetConnect();

  nock(SERVER)
    .persist()
    .get(/.*/)
    .reply((req: unknown) => serialize(handler('GET', requestUrl(req))) as never);
  // nock 15 passes the fetch Request; a reply function with two parameters would be taken as callback-style.
  nock(SERVER)
    .persist()
    .post(/.*/)
    .reply((async (req: Request) => serialize(handler('POST', requestUrl(req), await req.text()))) as never);
  nock(SERVER)
    .persist()
    .delete(/.*/)
    .reply((req: unknown) => serialize(handler('DELETE', requestUrl(req))) as never);

  active = {
    requests,
    unexpected,
    count: (path) => requests.filter((r) => path.test(r.path)).length,
    handler,
    done: () => {
      nock.cleanAll();
      nock.enableNetConnect();
    },
  };
  return active;
}

/** Writes a kubeconfig for SERVER (token auth, TLS verification off as nock serves no certificate). */
export function testKubeconfig(overrides: { namespace?: string } = {}): string {
  return writeKubeconfig({
    server: SERVER,
    cluster: { 'insecure-skip-tls-verify': true },
    user: { token: 'test-token-0123456789abcdef' },
    context: 'test',
    ...(overrides.namespace ? { namespace: overrides.namespace } : {}),
  });
}
