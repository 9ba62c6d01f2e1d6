// Glue for the in-depth DNS diagnosis (kdiag dns, kdiag check --probes): which servers the
// DNS probe asks directly, and after the run the findings, with CoreDNS's Corefile, log,
// RBAC and NodeLocal DNSCache read where permitted and the data-plane view loaded only
// when the Service path is the suspect.
import type { ClusterClient } from '../cluster/client.js';
import { isPodReady } from '../checks/lib/pods.js';
import { skippedPartFindings } from '../checks/permissions.js';
import type { DnsSkipped } from '../cluster/dns-depth.js';
import { dnsDepthFindings, type DnsDepthInput, type DnsServer } from '../dataplane/dns-depth.js';
import type { DirectQuery, ResolvConf } from '../probes/interpret-dns.js';
import type { Finding } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';

/** At most this many CoreDNS pods are asked directly. */
export const MAX_DNS_PODS = 10;

export interface DnsServerPlan {
  servers: DnsServer[];
  clusterName: string;
  externalName?: string;
  /** `--direct SERVER NAME ...` for the DNS script (empty when there is nothing to ask). */
  args: string[];
  /** kube-dns pods in kube-system (any state). */
  dnsPods: Snapshot['pods'];
}

/** The DNS Service and each Ready kube-dns pod, asked the cluster name (and the external subject). */
export function planDnsServers(snapshot: Snapshot, clusterDomain: string, external?: string): DnsServerPlan {
  const svc = snapshot.services.find((s) => s.metadata?.namespace === 'kube-system' && s.metadata?.name === 'kube-dns');
  const dnsPods = snapshot.pods.filter((p) => p.metadata?.namespace === 'kube-system' && p.metadata?.labels?.['k8s-app'] === 'kube-dns');
  const servers: DnsServer[] = [];
  const ip = svc?.spec?.clusterIP;
  if (ip && ip !== 'None') servers.push({ address: ip, role: 'service' });
  for (const p of dnsPods.filter((x) => isPodReady(x) && x.status?.podIP && !x.metadata?.deletionTimestamp).slice(0, MAX_DNS_PODS)) {
    servers.push({ address: p.status!.podIP!, role: 'pod', pod: p.metadata?.name ?? '', ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}) });
  }
  const clusterName = `kubernetes.default.svc.${clusterDomain}.`;
  const externalName = external ? (external.endsWith('.') ? external : `${external}.`) : undefined;
  const names = [clusterName, ...(externalName ? [externalName] : [])];
  const pairs = servers.flatMap((s) => names.flatMap((n) => [s.address, n]));
  return { servers, clusterName, ...(externalName ? { externalName } : {}), args: pairs.length ? ['--direct', ...pairs] : [], dnsPods };
}

export interface DnsDepthOutcome {
  findings: Finding[];
  /** One row per server and name asked. */
  servers: { server: string; role: 'service' | 'pod'; pod?: string; node?: string; name: string; status: string; ms?: number }[];
  skipped: DnsSkipped[];
  nodeLocal?: string;
}

export async function explainDnsDepth(
  client: ClusterClient,
  input: { plan: DnsServerPlan; direct: readonly DirectQuery[]; resolvConf?: ResolvConf; probeNode?: string; clusterDomain: string; logs?: boolean },
): Promise<DnsDepthOutcome> {
  const { plan } = input;
  const { loadDnsDepth } = await import('../cluster/dns-depth.js');
  const reads = await loadDnsDepth(client, plan.dnsPods, { logs: input.logs ?? true });
  const base: DnsDepthInput = {
    clusterDomain: input.clusterDomain,
    servers: plan.servers,
    direct: input.direct,
    clusterName: plan.clusterName,
    ...(plan.externalName ? { externalName: plan.externalName } : {}),
    ...(input.resolvConf ? { resolvConf: input.resolvConf } : {}),
    ...(input.probeNode ? { probeNode: input.probeNode } : {}),
    ...(plan.servers.find((s) => s.role === 'service') ? { serviceIP: plan.servers.find((s) => s.role === 'service')!.address } : {}),
    dnsPods: plan.dnsPods.length,
    ...reads,
  };
  let findings = dnsDepthFindings(base);
  if (findings.some((f) => f.code === 'KD5051')) {
    // The Service path is the suspect: say what translates Service addresses on the probe's node.
    const [{ loadDataplaneView }, { proxyOnNode }] = await Promise.all([import('../cluster/dataplane.js'), import('../dataplane/components.js')]);
    const view = await loadDataplaneView(client, { kubeProxyConfig: true });
    findings = dnsDepthFindings({ ...base, proxySummary: proxyOnNode(view, input.probeNode).summary });
  }
  const skipped = skippedPartFindings(
    reads.skipped.map((s) => ({
      permission: {
        verb: s.verb,
        resource: s.resource,
        group: s.group,
        ...(s.namespace ? { namespace: s.namespace } : {}),
        ...(s.subresource ? { subresource: s.subresource } : {}),
      },
      check: 'dns',
      part: s.part,
    })),
  );
  const rows = plan.servers.flatMap((s) =>
    [plan.clusterName, ...(plan.externalName ? [plan.externalName] : [])].map((name) => {
      const q = input.direct.find((d) => d.server === s.address && d.name === name);
      return {
        server: s.address,
        role: s.role,
        ...(s.pod ? { pod: s.pod } : {}),
        ...(s.node ? { node: s.node } : {}),
        name,
        status: q ? (q.outcome === 'answer' ? 'OK' : q.outcome.toUpperCase()) : 'NOT RUN',
        ...(q?.ms !== undefined ? { ms: q.ms } : {}),
      };
    }),
  );
  const nl = reads.nodeLocal;
  return {
    findings: [...findings, ...skipped],
    servers: rows,
    skipped: reads.skipped,
    ...(nl?.daemonset ? { nodeLocal: `DaemonSet kube-system/${nl.daemonset}: ${nl.pods.filter((p) => p.ready).length}/${nl.pods.length} pod(s) Ready` } : {}),
  };
}
