// A stand-in Kubernetes API for the scan benchmarks, serving the scale load (cluster/scale.sh's
// objects, shaped like what the real API server returns for them: kwok's status, the
// EndpointSlice controller's slices, managedFields) from pre-generated list pages. Every page
// of a cluster-wide list is serialised and gzipped before the server says it is ready, so
// kdiag and the fetch floor (bench/floor.js) are compared on the same server at the cost of
// reading the pages, not of making them. Used where the real cluster must not carry the load
// (it is shared) and for CPU profiles at 1×, 2× and 4×.
//   node bench/api-server.js [--level 1]   prints {"url", "kubeconfig"} as one line once ready
// Answers: /version, /api, /apis (built-in groups only), SelfSubjectAccessReviews (allowed),
// GET of a namespace, and LIST (limit/continue, Accept-Encoding: gzip) of every kind kdiag
// reads; other kinds list empty. Everything else is a 404.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const pad = (n, w) => String(n).padStart(w, '0');
const nsName = (i) => `kdiag-scale-${pad(i, 3)}`;
const svcName = (i) => `svc-${pad(i, 5)}`;
const T = '2026-11-25T10:00:00Z';
const uid = (kind, i) => `${pad(kind, 8)}-0000-4000-8000-${pad(i, 12)}`;
const FAULTY_EVERY = 50;

/** managedFields as the API server records them for one manager. */
function managed(manager, operation, fields, subresource) {
  return { manager, operation, apiVersion: 'v1', time: T, fieldsType: 'FieldsV1', fieldsV1: fields, ...(subresource ? { subresource } : {}) };
}

function pod(j, load) {
  const svc = Math.floor((j * load.services) / load.pods);
  const ns = nsName(svc % load.namespaces);
  const name = `${svcName(svc)}-${pad(j, 5)}`;
  const ip = `10.${244 + Math.floor(j / 65000)}.${Math.floor(j / 250) % 256}.${(j % 250) + 1}`;
  const node = `kwok-node-${pad(j % load.nodes, 3)}`;
  const cond = (type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: T });
  return {
    metadata: {
      name,
      namespace: ns,
      uid: uid(1, j),
      resourceVersion: String(100000 + j),
      creationTimestamp: T,
      labels: { 'kdiag.dev/scale': 'true', app: svcName(svc) },
      managedFields: [
        managed('scalegen', 'Update', {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:kdiag.dev/scale': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"app"}': {
                '.': {},
                'f:image': {},
                'f:imagePullPolicy': {},
                'f:name': {},
                'f:ports': { '.': {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} } },
                'f:resources': { '.': {}, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } },
                'f:terminationMessagePath': {},
                'f:terminationMessagePolicy': {},
              },
            },
            'f:dnsPolicy': {},
            'f:enableServiceLinks': {},
            'f:nodeName': {},
            'f:restartPolicy': {},
            'f:schedulerName': {},
            'f:securityContext': {},
            'f:terminationGracePeriodSeconds': {},
            'f:tolerations': {},
          },
        }),
        managed(
          'kwok',
          'Update',
          {
            'f:status': {
              'f:conditions': {
                'k:{"type":"ContainersReady"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
                'k:{"type":"Initialized"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
                'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
              },
              'f:containerStatuses': {},
              'f:hostIP': {},
              'f:phase': {},
              'f:podIP': {},
              'f:podIPs': { '.': {}, [`k:{"ip":"${ip}"}`]: { '.': {}, 'f:ip': {} } },
              'f:startTime': {},
            },
          },
          'status',
        ),
      ],
    },
    spec: {
      nodeName: node,
      containers: [
        {
          name: 'app',
          image: 'kdiag.local/backend:1.0',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '1m', memory: '1Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'kwok.x-k8s.io/node', operator: 'Exists' },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: [cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
      hostIP: `10.0.${Math.floor((j % load.nodes) / 250)}.${(j % load.nodes) % 250}`,
      podIP: ip,
      podIPs: [{ ip }],
      startTime: T,
      containerStatuses: [
        {
          name: 'app',
          state: { running: { startedAt: T } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: 'kdiag.local/backend:1.0',
          imageID: '',
          started: true,
        },
      ],
      qosClass: 'Burstable',
    },
  };
}

function service(i, load) {
  const name = svcName(i);
  const faulty = i % FAULTY_EVERY === FAULTY_EVERY - 1;
  return {
    metadata: {
      name,
      namespace: nsName(i % load.namespaces),
      uid: uid(2, i),
      resourceVersion: String(300000 + i),
      creationTimestamp: T,
      labels: { 'kdiag.dev/scale': 'true', 'service.kubernetes.io/service-proxy-name': 'kdiag-scale' },
      managedFields: [
        managed('scalegen', 'Update', {
          'f:metadata': { 'f:labels': { '.': {}, 'f:kdiag.dev/scale': {}, 'f:service.kubernetes.io/service-proxy-name': {} } },
          'f:spec': {
            'f:internalTrafficPolicy': {},
            'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } },
            'f:selector': {},
            'f:sessionAffinity': {},
            'f:type': {},
          },
        }),
      ],
    },
    spec: {
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
      selector: { app: faulty ? `${name}-typo` : name },
      clusterIP: `10.${96 + Math.floor(i / 65000)}.${Math.floor(i / 250) % 256}.${(i % 250) + 1}`,
      clusterIPs: [`10.${96 + Math.floor(i / 65000)}.${Math.floor(i / 250) % 256}.${(i % 250) + 1}`],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

function endpointSlice(i, load, podsOf) {
  const name = svcName(i);
  const ns = nsName(i % load.namespaces);
  const faulty = i % FAULTY_EVERY === FAULTY_EVERY - 1;
  const endpoints = faulty
    ? []
    : (podsOf[i] ?? []).map((j) => {
        const p = pod(j, load);
        return {
          addresses: [p.status.podIP],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: p.spec.nodeName,
          targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
        };
      });
  return {
    metadata: {
      name: `${name}-x${pad(i % 100000, 5)}`,
      generateName: `${name}-`,
      namespace: ns,
      uid: uid(3, i),
      resourceVersion: String(500000 + i),
      generation: 1,
      creationTimestamp: T,
      labels: {
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        'kdiag.dev/scale': 'true',
        'kubernetes.io/service-name': name,
        'service.kubernetes.io/service-proxy-name': 'kdiag-scale',
      },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': T },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: uid(2, i), controller: true, blockOwnerDeletion: true }],
      managedFields: [
        managed('kube-controller-manager', 'Update', {
          'f:addressType': {},
          'f:endpoints': {},
          'f:metadata': {
            'f:annotations': { '.': {}, 'f:endpoints.kubernetes.io/last-change-trigger-time': {} },
            'f:generateName': {},
            'f:labels': {},
            'f:ownerReferences': {},
          },
          'f:ports': {},
        }),
      ],
    },
    addressType: 'IPv4',
    endpoints,
    ports: endpoints.length ? [{ name: 'http', protocol: 'TCP', port: 8080 }] : null,
  };
}

function networkPolicy(i, load) {
  const round = Math.floor(i / load.namespaces);
  const deny = round % 2 === 0;
  return {
    metadata: {
      name: deny ? `default-deny-ingress-${round}` : `allow-same-namespace-${round}`,
      namespace: nsName(i % load.namespaces),
      uid: uid(4, i),
      resourceVersion: String(700000 + i),
      generation: 1,
      creationTimestamp: T,
      labels: { 'kdiag.dev/scale': 'true' },
    },
    spec: deny
      ? { podSelector: {}, policyTypes: ['Ingress'] }
      : { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] }] },
  };
}

function ingress(i, load) {
  const svc = i % load.services;
  return {
    metadata: {
      name: `ing-${pad(i, 5)}`,
      namespace: nsName(svc % load.namespaces),
      uid: uid(5, i),
      resourceVersion: String(800000 + i),
      generation: 1,
      creationTimestamp: T,
      labels: { 'kdiag.dev/scale': 'true' },
    },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: `${svcName(svc)}.scale.kdiag.test`,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svcName(svc), port: { number: 80 } } } }] },
        },
      ],
    },
    status: { loadBalancer: {} },
  };
}

/** The scale load at a level (bench/growth.js's loadAt), as objects per list path. */
export function scaleLists(level) {
  const load = {
    services: Math.round(5000 * level),
    pods: Math.round(20000 * level),
    namespaces: 100,
    netpols: Math.round(200 * level),
    ingresses: Math.round(500 * level),
    nodes: Math.max(200, Math.ceil((20000 * level) / 200)),
  };
  const podsOf = [];
  for (let j = 0; j < load.pods; j++) (podsOf[Math.floor((j * load.services) / load.pods)] ??= []).push(j);
  const range = (n, f) => Array.from({ length: n }, (_, i) => f(i, load, podsOf));
  const namespaces = range(load.namespaces, (i) => ({
    metadata: {
      name: nsName(i),
      uid: uid(6, i),
      resourceVersion: String(900000 + i),
      creationTimestamp: T,
      labels: { 'kdiag.dev/scale': 'true', 'kubernetes.io/metadata.name': nsName(i) },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
  return {
    load,
    lists: {
      '/api/v1/namespaces': { kind: 'NamespaceList', apiVersion: 'v1', items: namespaces },
      '/api/v1/pods': { kind: 'PodList', apiVersion: 'v1', items: range(load.pods, pod) },
      '/api/v1/services': { kind: 'ServiceList', apiVersion: 'v1', items: range(load.services, service) },
      '/apis/discovery.k8s.io/v1/endpointslices': { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', items: range(load.services, endpointSlice) },
      '/apis/networking.k8s.io/v1/networkpolicies': {
        kind: 'NetworkPolicyList',
        apiVersion: 'networking.k8s.io/v1',
        items: range(load.netpols, networkPolicy),
      },
      '/apis/networking.k8s.io/v1/ingresses': { kind: 'IngressList', apiVersion: 'networking.k8s.io/v1', items: range(load.ingresses, ingress) },
    },
  };
}

// Kinds listed empty (kdiag reads them; the scale load has none).
const EMPTY = {
  '/api/v1/secrets': ['SecretList', 'v1'],
  '/api/v1/endpoints': ['EndpointsList', 'v1'],
  '/api/v1/nodes': ['NodeList', 'v1'],
  '/api/v1/configmaps': ['ConfigMapList', 'v1'],
  '/apis/apps/v1/daemonsets': ['DaemonSetList', 'apps/v1'],
  '/apis/apps/v1/deployments': ['DeploymentList', 'apps/v1'],
  '/apis/networking.k8s.io/v1/ingressclasses': ['IngressClassList', 'networking.k8s.io/v1'],
};

const GROUPS = [
  ['apps', 'v1'],
  ['batch', 'v1'],
  ['discovery.k8s.io', 'v1'],
  ['networking.k8s.io', 'v1'],
  ['authorization.k8s.io', 'v1'],
];

function serve(level) {
  const { lists } = scaleLists(level);
  const PAGE = 500;
  // The pages every cluster-wide list with limit=500 asks for, serialised and gzipped once.
  const pages = new Map();
  for (const [path, list] of Object.entries(lists)) {
    const n = list.items.length;
    for (let start = 0; start === 0 || start < n; start += PAGE) {
      const next = start + PAGE < n ? String(start + PAGE) : undefined;
      const text = Buffer.from(
        JSON.stringify({
          kind: list.kind,
          apiVersion: list.apiVersion,
          metadata: { resourceVersion: '999999', ...(next ? { continue: next } : {}) },
          items: list.items.slice(start, start + PAGE),
        }),
      );
      pages.set(`${path}?${start}`, { text, gzip: gzipSync(text, { level: 1 }) });
    }
  }
  const byNamespace = (path) => {
    // /api/v1/namespaces/NS/pods → /api/v1/pods, NS
    const m = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)$/.exec(path);
    return m ? { all: `${m[1]}/${m[3]}`, namespace: m[2] } : undefined;
  };
  const send = (req, res, status, body) => {
    const text = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const headers = { 'Content-Type': 'application/json' };
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && text.length > 128 * 1024) {
      const z = gzipSync(text, { level: 1 });
      res.writeHead(status, { ...headers, 'Content-Encoding': 'gzip', 'Content-Length': z.length }).end(z);
    } else res.writeHead(status, { ...headers, 'Content-Length': text.length }).end(text);
  };
  const notFound = (req, res, what) =>
    send(req, res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${what} not found` });
  return (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'https://bench.invalid');
      const path = url.pathname;
      if (path === '/version') return send(req, res, 200, { major: '1', minor: '35', gitVersion: 'v1.35.0', platform: 'linux/amd64' });
      if (path === '/api') return send(req, res, 200, { kind: 'APIVersions', versions: ['v1'] });
      if (path === '/apis')
        return send(req, res, 200, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: GROUPS.map(([name, v]) => ({
            name,
            versions: [{ groupVersion: `${name}/${v}`, version: v }],
            preferredVersion: { groupVersion: `${name}/${v}`, version: v },
          })),
        });
      if (req.method === 'POST' && path.endsWith('/selfsubjectaccessreviews')) {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        return send(req, res, 201, { ...review, status: { allowed: true } });
      }
      if (req.method !== 'GET') return notFound(req, res, path);
      const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
      if (ns) {
        const found = lists['/api/v1/namespaces'].items.find((n) => n.metadata.name === ns[1]);
        return found ? send(req, res, 200, { kind: 'Namespace', apiVersion: 'v1', ...found }) : notFound(req, res, `namespaces "${ns[1]}"`);
      }
      const limit = Number(url.searchParams.get('limit') ?? 0);
      const start = Number(url.searchParams.get('continue') ?? 0);
      const field = url.searchParams.get('fieldSelector');
      const label = url.searchParams.get('labelSelector');
      const pre = !field && !label && limit === PAGE ? pages.get(`${path}?${start}`) : undefined;
      if (pre) {
        if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
          return res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': pre.gzip.length }).end(pre.gzip);
        }
        return res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': pre.text.length }).end(pre.text);
      }
      const scoped = byNamespace(path);
      const list = lists[scoped?.all ?? path];
      const empty = EMPTY[scoped?.all ?? path];
      if (!list && !empty) return notFound(req, res, path);
      let items = list?.items ?? [];
      if (scoped) items = items.filter((o) => o.metadata.namespace === scoped.namespace);
      if (field && !/^type=/.test(field)) {
        const name = /metadata\.name=([^,]+)/.exec(field)?.[1];
        items = name ? items.filter((o) => o.metadata.name === name) : items;
      }
      // Label selectors: k=v and the set-based forms (k in (a,b), k notin (a), k, !k), as the API takes them.
      for (const term of (label ?? '').match(/[^,(]+(\([^)]*\))?/g) ?? []) {
        const t = term.trim();
        const set = /^(\S+) (in|notin) \((.*)\)$/.exec(t);
        const has = (o, k) => Object.prototype.hasOwnProperty.call(o.metadata.labels ?? {}, k);
        if (set) {
          const values = set[3].split(',');
          const inSet = (o) => has(o, set[1]) && values.includes(o.metadata.labels[set[1]]);
          items = items.filter((o) => (set[2] === 'in' ? inSet(o) : !inSet(o)));
        } else if (t.startsWith('!')) items = items.filter((o) => !has(o, t.slice(1)));
        else if (t.includes('=')) {
          const [k, v] = t.split('=');
          items = items.filter((o) => o.metadata.labels?.[k] === v);
        } else if (t) items = items.filter((o) => has(o, t));
      }
      const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
      const next = limit > 0 && start + limit < items.length ? String(start + limit) : undefined;
      const [kind, apiVersion] = list ? [list.kind, list.apiVersion] : empty;
      send(req, res, 200, { kind, apiVersion, metadata: { resourceVersion: '999999', ...(next ? { continue: next } : {}) }, items: page });
    });
  };
}

/** Starts the server in a child process (its CPU is not kdiag's); resolves once its pages are ready. */
export function startApiServer(level) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--level', String(level)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench/api-server.js exited ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      const info = JSON.parse(line);
      resolve({ ...info, stop: () => child.kill() });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--level');
  const level = at > 0 ? Number(process.argv[at + 1]) : 1;
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-bench-api-'));
  const [certFile, keyFile] = [join(dir, 'tls.crt'), join(dir, 'tls.key')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '2',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), keepAliveTimeout: 60_000 }, serve(level));
  server.listen(0, '127.0.0.1', () => {
    const url = `https://127.0.0.1:${server.address().port}`;
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: bench',
        'clusters:',
        '- name: bench',
        '  cluster:',
        `    server: ${url}`,
        `    certificate-authority: ${certFile}`,
        'contexts:',
        '- name: bench',
        '  context: { cluster: bench, user: bench }',
        'users:',
        '- name: bench',
        '  user:',
        '    token: bench-token-0123456789abcdef',
        '',
      ].join('\n'),
    );
    process.stdout.write(`${JSON.stringify({ url, kubeconfig })}\n`);
  });
}
