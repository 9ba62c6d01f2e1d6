// Reads what the in-depth DNS diagnosis needs beyond the kube-dns pods and Service: the
// Corefile, the coredns Deployment, CoreDNS's recent log, the ClusterRoles bound to its
// ServiceAccount and NodeLocal DNSCache. Each part the API refuses is skipped and said
// (KD6006), never fatal; a missing object is simply absent.
import type { V1Pod } from '@kubernetes/client-node';
import { isForbidden, isNotFound } from '../errors.js';
import type { DnsDepthInput, RbacRule } from '../dataplane/dns-depth.js';
import type { ClusterClient } from './client.js';

const NS = 'kube-system';

/** A part kdiag could not read: the permission it lacked and what it left unchecked. */
export interface DnsSkipped {
  verb: string;
  resource: string;
  group: string;
  namespace?: string;
  subresource?: string;
  part: string;
}

export type DnsDepthReads = Pick<DnsDepthInput, 'corefile' | 'logs' | 'rbac' | 'nodeLocal' | 'deploymentReplicas'> & { skipped: DnsSkipped[] };

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Where each part's "not checked" line goes: the order the parts are listed in, whatever answered first. */
const PART_ORDER = ['configmaps', 'deployments', 'daemonsets', 'pods', 'clusterrolebindings', 'clusterroles'];
const partRank = (s: DnsSkipped) => PART_ORDER.indexOf(s.resource);

/** What the in-depth diagnosis reads besides CoreDNS's log: none of it depends on the probe, so it can be read while the probe pod starts. */
export type DnsConfigReads = Omit<DnsDepthReads, 'logs'>;

/** CoreDNS's recent log: read after the probe, so that errors its own queries caused are in it. */
export type DnsLogReads = Pick<DnsDepthReads, 'logs' | 'skipped'>;

/** Everything at once (the Corefile, the Deployment, NodeLocal DNSCache, RBAC and, unless `logs: false`, the log). */
export async function loadDnsDepth(client: ClusterClient, dnsPods: readonly V1Pod[], options: { logs?: boolean } = {}): Promise<DnsDepthReads> {
  const [config, logs] = await Promise.all([loadDnsConfig(client, dnsPods), options.logs === false ? undefined : loadDnsLogs(client, dnsPods)]);
  return combineDnsReads(config, logs);
}

/** The config part and the log part as one, their skipped parts in a fixed order. */
export function combineDnsReads(config: DnsConfigReads, logs: DnsLogReads | undefined): DnsDepthReads {
  const skipped = [...config.skipped, ...(logs?.skipped ?? [])].sort((a, b) => partRank(a) - partRank(b));
  return { ...config, ...(logs?.logs ? { logs: logs.logs } : {}), skipped };
}

export async function loadDnsConfig(client: ClusterClient, dnsPods: readonly V1Pod[]): Promise<DnsConfigReads> {
  const out: DnsConfigReads = { skipped: [] };
  // Refused → skipped; not found → absent; anything else is a real failure.
  const guard = async <T>(skip: Omit<DnsSkipped, 'part'> & { part: string }, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      if (isForbidden(err)) out.skipped.push(skip);
      else if (!isNotFound(err)) throw err;
      return undefined;
    }
  };
  let serviceAccount = dnsPods.find((p) => p.spec?.serviceAccountName)?.spec?.serviceAccountName;
  await Promise.all([
    guard({ verb: 'get', resource: 'configmaps', group: '', namespace: NS, part: 'the Corefile (ConfigMap coredns): zone, forward loop, cache' }, async () => {
      const cm = await client.call({ verb: 'get', resource: 'configmaps', namespace: NS, name: 'coredns' }, (o) =>
        client.core.readNamespacedConfigMap({ name: 'coredns', namespace: NS }, o),
      );
      const text = cm.data?.Corefile;
      if (text !== undefined) out.corefile = text;
    }),
    guard({ verb: 'get', resource: 'deployments', group: 'apps', namespace: NS, part: "the coredns Deployment's replicas" }, async () => {
      const d = await client.call({ verb: 'get', resource: 'deployments', group: 'apps', namespace: NS, name: 'coredns' }, (o) =>
        client.apps.readNamespacedDeployment({ name: 'coredns', namespace: NS }, o),
      );
      out.deploymentReplicas = d.spec?.replicas ?? 1;
      serviceAccount ??= d.spec?.template?.spec?.serviceAccountName;
    }),
    guard({ verb: 'list', resource: 'daemonsets', group: 'apps', namespace: NS, part: 'NodeLocal DNSCache (DaemonSet node-local-dns)' }, async () => {
      const sets = await client.list('daemonsets', NS);
      const ds = sets.find((d) => d.metadata?.name === 'node-local-dns' || d.spec?.selector?.matchLabels?.['k8s-app'] === 'node-local-dns');
      const pods = ds ? await client.list('pods', NS, { labelSelector: 'k8s-app=node-local-dns' }) : [];
      out.nodeLocal = {
        ...(ds ? { daemonset: ds.metadata?.name ?? 'node-local-dns' } : {}),
        pods: pods.map((p) => ({
          name: p.metadata?.name ?? '',
          ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
          ready: isReady(p),
          detail: `${p.status?.phase ?? 'Unknown'}${isReady(p) ? ', Ready' : ', not Ready'}`,
        })),
      };
    }),
  ]);
  await guard(
    {
      verb: 'list',
      resource: 'clusterrolebindings',
      group: 'rbac.authorization.k8s.io',
      part: "CoreDNS's ClusterRole (list/watch on endpointslices, services, namespaces)",
    },
    () => readRbac(client, serviceAccount ?? 'coredns', out, guard),
  );
  out.skipped.sort((a, b) => partRank(a) - partRank(b));
  return out;
}

export async function loadDnsLogs(client: ClusterClient, dnsPods: readonly V1Pod[]): Promise<DnsLogReads> {
  const out: DnsLogReads = { skipped: [] };
  await readLogs(client, dnsPods, out);
  return out;
}

async function readLogs(client: ClusterClient, pods: readonly V1Pod[], out: DnsLogReads): Promise<void> {
  const logs: { pod: string; text: string; readAt: number }[] = [];
  let refused = false;
  await Promise.all(
    pods.slice(0, 10).map(async (p) => {
      const name = p.metadata?.name ?? '';
      try {
        const text = await client.call({ verb: 'get', resource: 'pods/log', namespace: NS, name }, (o) =>
          // With the kubelet's timestamps: errors that stopped minutes ago are a past outage (KD5057 as info).
          client.core.readNamespacedPodLog({ name, namespace: NS, tailLines: 300, sinceSeconds: 900, limitBytes: 262_144, timestamps: true }, o),
        );
        logs.push({ pod: name, text: String(text), readAt: Date.now() });
      } catch (err) {
        if (isForbidden(err)) refused = true;
        // A pod without a started container has no log yet: nothing to read.
        else if (!isNotFound(err) && !(err as { status?: number }).status) throw err;
      }
    }),
  );
  if (refused)
    out.skipped.push({
      verb: 'get',
      resource: 'pods',
      subresource: 'log',
      group: '',
      namespace: NS,
      part: "CoreDNS's recent log (upstream errors, loop detection, API errors)",
    });
  else out.logs = logs;
}

async function readRbac(
  client: ClusterClient,
  serviceAccount: string,
  out: DnsConfigReads,
  guard: <T>(skip: DnsSkipped, fn: () => Promise<T>) => Promise<T | undefined>,
): Promise<void> {
  const rbac = client.rbac;
  const bindings = await client.call({ verb: 'list', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' }, (o) =>
    rbac.listClusterRoleBinding({}, o),
  );
  const roles = bindings.items
    .filter(
      (b) => b.roleRef.kind === 'ClusterRole' && (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === serviceAccount && s.namespace === NS),
    )
    .map((b) => b.roleRef.name);
  const rules: RbacRule[] = [];
  let read = true;
  for (const name of [...new Set(roles)]) {
    const role = await guard(
      {
        verb: 'get',
        resource: 'clusterroles',
        group: 'rbac.authorization.k8s.io',
        part: "CoreDNS's ClusterRole (list/watch on endpointslices, services, namespaces)",
      },
      () => client.call({ verb: 'get', resource: 'clusterroles', group: 'rbac.authorization.k8s.io', name }, (o) => rbac.readClusterRole({ name }, o)),
    );
    if (role === undefined) {
      // A binding to a role that does not exist grants nothing; a refused read says nothing.
      if (out.skipped.some((s) => s.resource === 'clusterroles')) read = false;
      continue;
    }
    for (const r of role.rules ?? []) rules.push({ apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], verbs: r.verbs });
  }
  if (read) out.rbac = { serviceAccount, roles: [...new Set(roles)], rules };
}
