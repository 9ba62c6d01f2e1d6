// The local cluster itself (cluster/): node, DNS, Services through kube-proxy,
// NetworkPolicy enforcement by kube-router, the local images, and the real
// API's answer for the planted named-port fault. Pods here only talk to
// cluster Services and Pods.
import { IMAGES, apply, backendManifest, deleteNamespace, ensureNamespace, kubectl, kubectlJson, runPod, waitForRollout } from './support/cluster.js';

const NS = 'kdiag-e2e-cluster';
const SVC = `echo.${NS}.svc.cluster.local`;

beforeAll(async () => {
  await ensureNamespace(NS);
  await apply(backendManifest({ namespace: NS, name: 'echo', replicas: 1, answerAs: 'e2e-echo' }));
  await waitForRollout(NS, 'deploy/echo');
});

afterAll(async () => {
  await deleteNamespace(NS);
});

describe('local cluster', () => {
  test('the node is Ready and the API server reports Kubernetes 1.35', async () => {
    const node = await kubectlJson(['get', 'node', 'kdiag-node']);
    const ready = node.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    expect(ready.status).toBe('True');
    const version = await kubectlJson<{ serverVersion: { gitVersion: string } }>(['version']);
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.35\.\d+$/);
  });

  test('CoreDNS and kube-router run as pods in kube-system', async () => {
    const dns = await kubectlJson(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-dns']);
    expect(dns.items.length).toBeGreaterThan(0);
    expect(dns.items[0].status.containerStatuses[0].ready).toBe(true);
    const svc = await kubectlJson(['-n', 'kube-system', 'get', 'service', 'kube-dns']);
    expect(svc.spec.clusterIP).toBe('10.96.0.10');
    const router = await kubectlJson(['-n', 'kube-system', 'get', 'pods', '-l', 'k8s-app=kube-router']);
    expect(router.items.length).toBe(1);
    expect(router.items[0].status.containerStatuses[0].ready).toBe(true);
  });

  test('a busybox pod resolves a Service name through CoreDNS and fetches the backend through its ClusterIP', async () => {
    const svc = await kubectlJson(['-n', NS, 'get', 'service', 'echo']);
    const clusterIP: string = svc.spec.clusterIP;
    const r = await runPod(NS, 'dns-and-http', `nslookup ${SVC} && wget -q -T 10 -O - http://${SVC}/health`);
    expect(r.log).toContain(clusterIP); // nslookup answered with the ClusterIP
    expect(r.log).toContain('"name":"e2e-echo"'); // the backend answered through it
    expect(r.phase).toBe('Succeeded');
  });

  test('the StatefulSet pod of a headless Service resolves by name', async () => {
    const r = await runPod(NS, 'dns-headless', 'nslookup redis-0.redis-headless.production.svc.cluster.local');
    expect(r.phase).toBe('Succeeded');
    expect(r.log).toMatch(/Address:?\s+10\.244\.\d+\.\d+/);
  });

  test('CoreDNS forwards nothing: a name outside cluster.local does not resolve', async () => {
    const r = await runPod(NS, 'dns-outside', 'nslookup kdiag-test.invalid; echo "rc=$?"');
    expect(r.log).toMatch(/rc=1/);
  });

  test('NetworkPolicy: production denies a connection from another namespace (timeout)', async () => {
    const started = Date.now();
    const r = await runPod(
      NS,
      'np-denied',
      't0=$(date +%s); wget -q -T 5 -O - http://api-service.production.svc.cluster.local/health; echo "rc=$? after $(( $(date +%s) - t0 ))s"',
    );
    expect(r.log).toMatch(/timed out/);
    expect(r.log).toMatch(/rc=1 after [4-9]s/);
    expect(Date.now() - started).toBeGreaterThan(4_000);
  });

  test('NetworkPolicy: production allows the ingress-nginx namespace to reach api-server on 8080', async () => {
    const r = await runPod('ingress-nginx', 'np-allowed', 'wget -q -T 10 -O - http://api-service.production.svc.cluster.local/health');
    expect(r.log).toContain('"name":"api-server"');
    expect(r.phase).toBe('Succeeded');
  });

  test('the curl image runs as uid 65534 with a read-only root filesystem', async () => {
    const r = await runPod(NS, 'curl-ro', `id -u && curl -sS -m 10 http://${SVC}/health`, {
      image: IMAGES.curl,
      securityContext: {
        runAsUser: 65534,
        runAsGroup: 65534,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      },
    });
    expect(r.log).toMatch(/^65534$/m);
    expect(r.log).toContain('"name":"e2e-echo"');
    expect(r.phase).toBe('Succeeded');
  });

  test('the real API lists a named-port mismatch as an EndpointSlice endpoint without ports', async () => {
    const slices = await kubectlJson(['-n', 'production', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=metrics-service']);
    expect(slices.items.length).toBe(1);
    const slice = slices.items[0];
    expect(slice.ports ?? []).toEqual([]);
    expect(slice.endpoints).toHaveLength(1);
    expect(slice.endpoints[0].conditions.ready).toBe(true);
  });

  test('the planted selector mismatch leaves api-v2-service without endpoints', async () => {
    const r = await kubectl(['-n', 'production', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=api-v2-service', '-o', 'json']);
    const slices = JSON.parse(r.stdout);
    const addresses = slices.items.flatMap((s: { endpoints?: unknown[] }) => s.endpoints ?? []);
    expect(addresses).toEqual([]);
  });
});
