// The only module family (src/cluster/*) that imports @kubernetes/client-node.
// Everything that talks to the API goes through ClusterClient.call(): one place for
// per-request timeouts, bounded retries on 429/5xx (honouring Retry-After), request
// counting for --debug and benchmarks, and mapping failures to one sentence.
import type { AgentOptions } from 'node:https';
import type { ApiType, Cluster, Configuration, HttpLibrary, KubeConfig, ResponseContext } from '@kubernetes/client-node';
import {
  ApiException,
  ApisApi,
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  VersionApi,
  BatchV1Api,
  Observable,
} from './k8s.js';
import { isForbidden, isNotFound, KdiagError } from '../errors.js';
import { isProbePod } from '../probes/pod-spec.js';
import { KIND_RESOURCES, type Kind, type KindMap } from '../snapshot.js';
import { isApiError, isRetryable, toKdiagError, type RequestTarget } from './errors.js';
import { loadKubeConfig, type ConnectOptions } from './kubeconfig.js';
import { parseListStream } from './page.js';
import { NodeTransport } from './transport.js';

export interface ClientOptions extends ConnectOptions {
  /** Per-request timeout in milliseconds; 0 disables it. */
  requestTimeoutMs?: number;
  /** Called with one line per request when --debug is on. */
  debug?: (line: string) => void;
  /** Retries after the first attempt on 429/5xx. */
  maxRetries?: number;
  /** Page size for list calls (kubectl uses 500). */
  pageSize?: number;
  /** Cap on a single Retry-After wait, in milliseconds. */
  maxRetryAfterMs?: number;
}

type RequestContextLike = { setSignal(s: AbortSignal): void; getUrl(): string; getHttpMethod(): string };
type Middleware = {
  pre: (ctx: RequestContextLike) => Observable<RequestContextLike>;
  post: (rsp: { httpStatusCode: number }) => Observable<{ httpStatusCode: number }>;
};

/** The options argument every generated API method takes last. */
export type ApiOptions = Parameters<CoreV1Api['readNamespace']>[1];

interface ResourceInfo {
  group: string;
  resource: string;
  namespaced: boolean;
  api: 'core' | 'discovery' | 'networking' | 'apps';
  listAll: string;
  listNamespaced?: string;
  fieldSelector?: string;
}

type ApiInfo = Pick<ResourceInfo, 'api' | 'listAll' | 'listNamespaced' | 'fieldSelector'>;
const API_INFO: Record<Kind, ApiInfo> = {
  namespaces: { api: 'core', listAll: 'listNamespace' },
  nodes: { api: 'core', listAll: 'listNode' },
  services: { api: 'core', listAll: 'listServiceForAllNamespaces', listNamespaced: 'listNamespacedService' },
  endpoints: { api: 'core', listAll: 'listEndpointsForAllNamespaces', listNamespaced: 'listNamespacedEndpoints' },
  pods: { api: 'core', listAll: 'listPodForAllNamespaces', listNamespaced: 'listNamespacedPod' },
  tlssecrets: { api: 'core', listAll: 'listSecretForAllNamespaces', listNamespaced: 'listNamespacedSecret', fieldSelector: 'type=kubernetes.io/tls' },
  endpointslices: { api: 'discovery', listAll: 'listEndpointSliceForAllNamespaces', listNamespaced: 'listNamespacedEndpointSlice' },
  ingresses: { api: 'networking', listAll: 'listIngressForAllNamespaces', listNamespaced: 'listNamespacedIngress' },
  ingressclasses: { api: 'networking', listAll: 'listIngressClass' },
  networkpolicies: { api: 'networking', listAll: 'listNetworkPolicyForAllNamespaces', listNamespaced: 'listNamespacedNetworkPolicy' },
  daemonsets: { api: 'apps', listAll: 'listDaemonSetForAllNamespaces', listNamespaced: 'listNamespacedDaemonSet' },
  deployments: { api: 'apps', listAll: 'listDeploymentForAllNamespaces', listNamespaced: 'listNamespacedDeployment' },
};

export const RESOURCES = Object.fromEntries((Object.keys(API_INFO) as Kind[]).map((k) => [k, { ...KIND_RESOURCES[k], ...API_INFO[k] }])) as Record<
  Kind,
  ResourceInfo
>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops what no check reads and what costs the most memory on big clusters: managedFields
 * and kubectl's last-applied annotation (together often half of an object).
 */
function slim<T>(item: T): T {
  const meta = (item as { metadata?: { managedFields?: unknown; annotations?: Record<string, string> } }).metadata;
  if (meta) {
    delete meta.managedFields;
    if (meta.annotations && LAST_APPLIED in meta.annotations) delete meta.annotations[LAST_APPLIED];
  }
  return item;
}

type Pod = KindMap['pods'];
type EndpointSlice = KindMap['endpointslices'];

/** What list() keeps of one listed object: trimmed; kdiag's own probe Pods not at all. */
function keep<K extends Kind>(kind: K, item: unknown): KindMap[K] | undefined {
  if (kind === 'endpointslices') return slimEndpointSlice(item as EndpointSlice) as KindMap[K];
  if (kind !== 'pods') return slim(item as KindMap[K]);
  // kdiag's own probe Pods (this run's or another's) look like the workload they stand in
  // for (its labels, never Ready): counting them would report a Pod that is not Ready.
  return isProbePod(item as Pod) ? undefined : (slimPod(item as Pod) as KindMap[K]);
}

/**
 * One copy of each of the values that repeat across tens of thousands of Pods and
 * EndpointSlices (namespaces, node names, label values, condition types, images, kinds):
 * JSON.parse makes a new string for every occurrence. At 40,000 Pods this keeps ≈ 30 MB less.
 * Values that never repeat (names, uids, IPs) are not looked up.
 */
const interned = new Map<string, string>();
function intern<T extends string | undefined>(value: T): T {
  if (value === undefined) return value;
  const known = interned.get(value);
  if (known !== undefined) return known as T;
  interned.set(value, value);
  return value;
}

function internLabels(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  if (labels) for (const k in labels) labels[k] = intern(labels[k]!);
  return labels;
}

type Condition = NonNullable<NonNullable<Pod['status']>['conditions']>[number];
type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];
type Container = NonNullable<Pod['spec']>['containers'][number];

/**
 * A running container's state as kdiag reads it: running or not (its start time is read by
 * nothing). One object shared by every running container.
 */
const RUNNING = Object.freeze({});

/** What kdiag reads of a container's status: readiness, restarts, why it waits or ended (src/checks/lib/pods.ts, src/dataplane/components.ts). */
function slimContainerStatus(cs: ContainerStatus): ContainerStatus {
  const state = cs.state;
  const terminated = cs.lastState?.terminated;
  return {
    name: intern(cs.name),
    ready: cs.ready,
    restartCount: cs.restartCount,
    state: state && { running: state.running && RUNNING, waiting: state.waiting, terminated: state.terminated },
    lastState: terminated ? { terminated } : undefined,
  } as ContainerStatus;
}

function slimCondition(c: Condition): Condition {
  return { type: intern(c.type), status: intern(c.status), reason: c.reason, message: c.message } as Condition;
}

/**
 * The fields of a Pod that kdiag reads (identity, labels, owner, scheduling, container names,
 * images and ports, and the status), kept as each page arrives so a cluster with tens of
 * thousands of Pods fits in a small heap. Env, most probes, volumes and resources are dropped
 * (kube-system keeps env and args), and so are podIPs (podIP is read), container image IDs
 * and start times.
 */
export function slimPod(pod: Pod): Pod {
  const m = pod.metadata ?? {};
  const spec = pod.spec;
  const st = pod.status;
  // readinessProbe: kdiag compares the port it checks with the Service's target port (KD5041).
  // kube-system's few Pods keep their command, args and env: the data-plane agents' flags
  // (--proxy-mode, --run-firewall, FELIX_BPFENABLED) tell their mode (src/dataplane/components.ts).
  const system = m.namespace === 'kube-system';
  const container = (c: Container): Container => ({
    name: intern(c.name),
    image: intern(c.image),
    ports: internPorts(c.ports),
    readinessProbe: c.readinessProbe,
    ...(system ? { command: c.command, args: c.args, env: c.env } : {}),
  });
  return {
    metadata: {
      name: m.name,
      namespace: intern(m.namespace),
      uid: m.uid,
      labels: internLabels(m.labels),
      ownerReferences: m.ownerReferences,
      creationTimestamp: m.creationTimestamp,
      deletionTimestamp: m.deletionTimestamp,
    },
    spec: spec && {
      nodeName: intern(spec.nodeName),
      hostNetwork: spec.hostNetwork,
      hostname: spec.hostname,
      subdomain: spec.subdomain,
      readinessGates: spec.readinessGates,
      containers: (spec.containers ?? []).map(container),
      initContainers: spec.initContainers?.map(container),
    },
    status: st && {
      phase: intern(st.phase),
      reason: st.reason,
      message: st.message,
      podIP: st.podIP,
      conditions: st.conditions?.map(slimCondition),
      containerStatuses: st.containerStatuses?.map(slimContainerStatus),
      initContainerStatuses: st.initContainerStatuses?.map(slimContainerStatus),
    },
  } as Pod;
}

/** Ports (of containers, of EndpointSlices) with their names and protocols interned, in place. */
function internPorts<P extends { name?: string | null; protocol?: string }>(ports: P[] | undefined): P[] | undefined {
  for (const p of ports ?? []) {
    if (typeof p.name === 'string') p.name = intern(p.name);
    if (p.protocol !== undefined) p.protocol = intern(p.protocol);
  }
  return ports;
}

type Endpoint = NonNullable<EndpointSlice['endpoints']>[number];
type EndpointConditions = NonNullable<Endpoint['conditions']>;
/** The endpoint conditions seen so far, one frozen object each: most endpoints share one of a few. */
const CONDITIONS = new Map<string, EndpointConditions>();
function sharedConditions(c: EndpointConditions): EndpointConditions {
  let n = 0;
  for (const k in c) {
    if (k !== 'ready' && k !== 'serving' && k !== 'terminating') return c;
    n++;
  }
  const key = `${n}/${c.ready}/${c.serving}/${c.terminating}`;
  let shared = CONDITIONS.get(key);
  if (!shared) {
    shared = Object.freeze({ ...c });
    CONDITIONS.set(key, shared);
  }
  return shared;
}

/**
 * The fields of an EndpointSlice that kdiag reads: its Service label, address type, ports and
 * endpoints (addresses, conditions, node, zone, hostname, target). Its generated name, uid,
 * resourceVersion, generation, annotations and owner (the Service its label names) are dropped.
 */
export function slimEndpointSlice(slice: EndpointSlice): EndpointSlice {
  const m = slice.metadata ?? {};
  for (const ep of slice.endpoints ?? []) {
    if (ep.conditions) ep.conditions = sharedConditions(ep.conditions);
    if (ep.nodeName !== undefined) ep.nodeName = intern(ep.nodeName);
    if (ep.zone !== undefined) ep.zone = intern(ep.zone);
    const ref = ep.targetRef;
    if (ref) {
      if (ref.kind !== undefined) ref.kind = intern(ref.kind);
      if (ref.namespace !== undefined) ref.namespace = intern(ref.namespace);
    }
  }
  return {
    metadata: {
      name: m.name,
      namespace: intern(m.namespace),
      labels: internLabels(m.labels),
      creationTimestamp: m.creationTimestamp,
      deletionTimestamp: m.deletionTimestamp,
    },
    addressType: intern(slice.addressType),
    ports: internPorts(slice.ports),
    endpoints: slice.endpoints,
  } as EndpointSlice;
}

/**
 * The response processor of kdiag's list calls: each page as the byte stream the server sent,
 * parsed by list() item by item as it arrives (src/cluster/page.ts), without client-node's model
 * deserializer (which copies every object into model classes — twice the garbage per page
 * for tens of thousands of Pods). Failures are
 * the same ApiException the generated processor throws. Only list methods are answered;
 * JSON and TypeScript names differ for no field of the kinds listed this way (NetworkPolicy
 * rules' `from` does, so NetworkPolicies keep the model deserializer).
 */
const RAW_LIST_PROCESSOR = new Proxy(
  {},
  {
    get: (_target, name) => {
      if (typeof name !== 'string' || !/^list.*WithHttpInfo$/.test(name)) return undefined;
      return async (response: ResponseContext) => {
        const code = response.httpStatusCode;
        if (code >= 200 && code <= 299) {
          return { httpStatusCode: code, headers: response.headers, body: response.body, data: response.body.stream() };
        }
        if (code === 401) throw new ApiException(code, 'Unauthorized', undefined, response.headers);
        throw new ApiException(code, 'Unknown API Status Code!', await response.getBodyAsAny(), response.headers);
      };
    },
  },
);

/** An API class whose list methods return raw pages (for KubeConfig.makeApiClient). */
function rawLists<T>(Api: new (config: Configuration, ...rest: never[]) => T): new (config: Configuration) => T {
  // cast: the generated API classes take (configuration, requestFactory?, responseProcessor?), typed per
  // API; T's type only shows the one-argument form. The subclass is still a T (same methods).
  return class extends (Api as unknown as new (...args: unknown[]) => object) {
    constructor(config: Configuration) {
      super(config, undefined, RAW_LIST_PROCESSOR);
    }
    // cast: see above; the class adds nothing to T.
  } as unknown as new (config: Configuration) => T;
}

/** Kinds whose list pages skip the model deserializer (see RAW_LIST_PROCESSOR). */
const MODEL_KINDS: ReadonlySet<Kind> = new Set(['networkpolicies']);

/**
 * client-node builds a new HTTP client (undici Agent) for every request (config.js,
 * applySecurityAuthentication → createDispatcher): a new TLS context, connection and handshake
 * each time — 15 handshakes for `kdiag check -n NS`, 70 for a cluster-wide check. One per
 * client lets requests reuse kept-alive connections; it depends only on the context's cluster
 * and user, which a client never changes. The first call also hands the TLS settings
 * client-node computed for it to kdiag's transport (src/cluster/transport.ts).
 */
function shareDispatcher(kc: KubeConfig, transport: NodeTransport | undefined): void {
  // cast: createDispatcher is private in client-node's types; it is the method every request calls for its Agent.
  const target = kc as unknown as { createDispatcher: (cluster: Cluster | null, options: AgentOptions) => unknown };
  const create = target.createDispatcher.bind(kc);
  let made = false;
  let shared: unknown;
  target.createDispatcher = (cluster, options) => {
    if (!made) {
      if (transport) {
        const tls = kc.createDispatcherOptions(cluster, options);
        transport.useTls(tls);
        // Only client-node's own fetch (watches) uses the Agent: undici is loaded when it does.
        shared = tls.type === 'none' ? undefined : deferred(() => create(cluster, options));
      } else shared = create(cluster, options);
      made = true;
    }
    return shared;
  };
}

/**
 * An object that stands for the one `make()` returns, made at its first use: every property
 * read is the real object's (methods bound to it). The undici Agent of client-node's fetch
 * costs ≈ 12 ms to load and a command that never watches never needs it.
 */
function deferred(make: () => unknown): unknown {
  let real: Record<PropertyKey, unknown> | undefined;
  const get = () => (real ??= make() as Record<PropertyKey, unknown>);
  return new Proxy(
    {},
    {
      get: (_target, key) => {
        const value = get()[key];
        return typeof value === 'function' ? value.bind(get()) : value;
      },
      has: (_target, key) => key in get(),
    },
  );
}

function isByteStream(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ClusterClient {
  readonly kc: KubeConfig;
  readonly server: string;
  readonly contextName: string;
  /** The context's namespace, else `default`. */
  readonly defaultNamespace: string;
  // The API objects are made on first use: each makeApiClient costs about 3 ms, and a command
  // uses two or three of the fourteen.
  get core(): CoreV1Api {
    return this.api('core', CoreV1Api);
  }
  get discovery(): DiscoveryV1Api {
    return this.api('discovery', DiscoveryV1Api);
  }
  get networking(): NetworkingV1Api {
    return this.api('networking', NetworkingV1Api);
  }
  get apps(): AppsV1Api {
    return this.api('apps', AppsV1Api);
  }
  get batch(): BatchV1Api {
    return this.api('batch', BatchV1Api);
  }
  get authorization(): AuthorizationV1Api {
    return this.api('authorization', AuthorizationV1Api);
  }
  get custom(): CustomObjectsApi {
    return this.api('custom', CustomObjectsApi);
  }
  /** Discovery of API groups (GET /apis). */
  get apis(): ApisApi {
    return this.api('apis', ApisApi);
  }
  /** ClusterRoles and their bindings (CoreDNS's own permissions, src/cluster/dns-depth.ts). */
  get rbac(): RbacAuthorizationV1Api {
    return this.api('rbac', RbacAuthorizationV1Api);
  }
  get version(): VersionApi {
    return this.api('version', VersionApi);
  }
  /** The same APIs with raw list pages, used by list(). */
  private readonly raw = {
    core: () => this.api('raw core', rawLists(CoreV1Api)),
    discovery: () => this.api('raw discovery', rawLists(DiscoveryV1Api)),
    networking: () => this.api('raw networking', rawLists(NetworkingV1Api)),
    apps: () => this.api('raw apps', rawLists(AppsV1Api)),
  };
  private readonly apiObjects = new Map<string, unknown>();

  private api<T extends ApiType>(name: string, Api: new (config: Configuration) => T): T {
    // cast: the map holds the API object this method made for this name, of this class.
    const known = this.apiObjects.get(name) as T | undefined;
    if (known !== undefined) return known;
    let made: T;
    try {
      made = this.kc.makeApiClient(Api);
    } catch (err) {
      throw new KdiagError(`cannot use the server address ${this.server} of context "${this.contextName}": ${(err as Error).message}`);
    }
    this.apiObjects.set(name, made);
    return made;
  }
  /** The HTTP client under client-node's APIs (undefined: client-node's own, for a proxy). */
  private readonly transport: NodeTransport | undefined;
  /** Requests sent (including retries), per `verb resource`. */
  readonly requestCounts = new Map<string, number>();
  private readonly options: Required<Pick<ClientOptions, 'requestTimeoutMs' | 'maxRetries' | 'pageSize' | 'maxRetryAfterMs'>> & ClientOptions;

  constructor(options: ClientOptions = {}) {
    this.options = { requestTimeoutMs: 30_000, maxRetries: 4, pageSize: 500, maxRetryAfterMs: 10_000, ...options };
    const loaded = loadKubeConfig(options);
    this.kc = loaded.kc;
    this.server = loaded.server;
    this.contextName = loaded.contextName;
    this.defaultNamespace = loaded.namespace;
    // Requests go through kdiag's node:https transport, except through a proxy (client-node's fetch handles those).
    this.transport = this.kc.getCurrentCluster()?.proxyUrl ? undefined : new NodeTransport();
    shareDispatcher(this.kc, this.transport);
    // The server address is checked now (a malformed one fails here, as before any request).
    void this.version;
  }

  /** Per-call options: the request timeout and the request log. Pass as the last argument of an API method. */
  requestOptions(): ApiOptions {
    const { requestTimeoutMs, debug } = this.options;
    const options: { middleware: Middleware[]; middlewareMergeStrategy: 'append'; httpApi?: HttpLibrary } = {
      middlewareMergeStrategy: 'append',
      httpApi: this.transport?.library,
      middleware: [
        {
          pre: (ctx) => {
            if (requestTimeoutMs > 0) ctx.setSignal(AbortSignal.timeout(requestTimeoutMs));
            debug?.(`→ ${ctx.getHttpMethod()} ${ctx.getUrl()}`);
            return new Observable(Promise.resolve(ctx));
          },
          post: (rsp) => {
            debug?.(`← ${rsp.httpStatusCode}`);
            return new Observable(Promise.resolve(rsp));
          },
        },
      ],
    };
    // cast: these middlewares are typed by the few context methods they call (RequestContextLike);
    // client-node's type names its full RequestContext class, which is what it passes at runtime.
    return options as unknown as ApiOptions;
  }

  /**
   * Runs one API call with bounded retries on 429 and 5xx (Retry-After honoured, capped),
   * and maps a final failure to a KdiagError naming the verb, resource and namespace.
   */
  async call<T>(target: RequestTarget, fn: (options: ApiOptions) => Promise<T>): Promise<T> {
    const key = `${target.verb} ${target.group ? `${target.resource}.${target.group}` : target.resource}`;
    for (let attempt = 0; ; attempt++) {
      this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
      try {
        return await fn(this.requestOptions());
      } catch (err) {
        if (attempt >= this.options.maxRetries || !isRetryable(err)) {
          throw toKdiagError(err, this.server, target, this.options.requestTimeoutMs);
        }
        const wait = this.retryDelay(err, attempt);
        this.options.debug?.(`retrying ${key} in ${wait} ms (${isApiError(err) ? err.code : 'connection reset'})`);
        await sleep(wait);
      }
    }
  }

  private retryDelay(err: unknown, attempt: number): number {
    if (isApiError(err)) {
      const header = err.headers?.['retry-after'] ?? err.headers?.['Retry-After'];
      const secs = header !== undefined ? Number(header) : NaN;
      if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, this.options.maxRetryAfterMs);
    }
    return Math.min(200 * 2 ** attempt, 3_000);
  }

  /** Lists every object of a kind, following `continue` tokens page by page. */
  async list<K extends Kind>(kind: K, namespace?: string, selectors: { labelSelector?: string; fieldSelector?: string } = {}): Promise<KindMap[K][]> {
    const info = RESOURCES[kind];
    const raw = !MODEL_KINDS.has(kind);
    type Page = { items?: KindMap[K][] | null; metadata?: { _continue?: string; continue?: string } };
    // cast: the list method is named at runtime (RESOURCES), which TypeScript cannot index the API class by;
    // raw APIs answer with the page's byte stream (RAW_LIST_PROCESSOR).
    const api = (raw ? this.raw[info.api]() : this[info.api]) as unknown as Record<
      string,
      (param: object, options: ApiOptions) => Promise<Page | AsyncIterable<Uint8Array>>
    >;
    const scoped = info.namespaced && namespace !== undefined;
    const method = scoped ? info.listNamespaced! : info.listAll;
    const target: RequestTarget = { verb: 'list', resource: info.resource, group: info.group || undefined, namespace: scoped ? namespace : undefined };
    const items: KindMap[K][] = [];
    let cont: string | undefined;
    do {
      const param = {
        ...(scoped ? { namespace } : {}),
        limit: this.options.pageSize,
        ...(cont ? { _continue: cont } : {}),
        ...(info.fieldSelector || selectors.fieldSelector ? { fieldSelector: [info.fieldSelector, selectors.fieldSelector].filter(Boolean).join(',') } : {}),
        ...(selectors.labelSelector ? { labelSelector: selectors.labelSelector } : {}),
      };
      // The body is read inside call(): a connection lost mid-page is retried like a failed request.
      const page = await this.call(target, async (options) => {
        const answer = await api[method]!.call(api, param, options);
        if (isByteStream(answer)) return parseListStream(answer, (item) => keep(kind, item));
        // A model page (NetworkPolicies): client-node's deserializer names `continue` `_continue`.
        const kept: KindMap[K][] = [];
        for (const item of answer.items ?? []) {
          const one = keep(kind, item);
          if (one !== undefined) kept.push(one);
        }
        return { items: kept, list: { metadata: { continue: answer.metadata?._continue } } };
      });
      for (const item of page.items) items.push(item);
      cont = page.list.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  /** Fails with "namespace X not found" when it does not exist; silent when kdiag may not read namespaces. */
  async assertNamespace(namespace: string): Promise<void> {
    try {
      await this.call({ verb: 'get', resource: 'namespaces', name: namespace }, (o) => this.core.readNamespace({ name: namespace }, o));
    } catch (err) {
      if (isNotFound(err)) {
        const near = await this.namespaceSuggestion(namespace);
        throw new KdiagError(`namespace ${namespace} not found${near}`, { status: 404, reason: 'NotFound', details: { kind: 'namespaces', name: namespace } });
      }
      if (isForbidden(err)) return;
      throw err;
    }
  }

  /** "; did you mean production?" from the namespaces kdiag may list; nothing when it may not. */
  private async namespaceSuggestion(namespace: string): Promise<string> {
    try {
      const { didYouMean } = await import('../suggest.js');
      return didYouMean(
        namespace,
        (await this.list('namespaces')).map((n) => n.metadata?.name ?? ''),
      );
    } catch {
      return '';
    }
  }

  /** SelfSubjectAccessReview: may the current user do `verb` on the resource? */
  async canI(verb: string, resource: string, group: string, namespace?: string, subresource?: string): Promise<boolean> {
    const review = await this.call({ verb: 'create', resource: 'selfsubjectaccessreviews', group: 'authorization.k8s.io' }, (o) =>
      this.authorization.createSelfSubjectAccessReview(
        {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { verb, resource, group, namespace, subresource } },
          },
        },
        o,
      ),
    );
    return review.status?.allowed === true;
  }

  async serverVersion(): Promise<string> {
    const info = await this.call({ verb: 'get', resource: 'version' }, (o) => this.version.getCode({}, o));
    return info.gitVersion;
  }

  totalRequests(): number {
    let n = 0;
    for (const v of this.requestCounts.values()) n += v;
    return n;
  }
}
