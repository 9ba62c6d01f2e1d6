// Glue for the in-depth DNS diagnosis (kdiag dns, kdiag check --probes): which servers the
// DNS probe asks directly, and after the run the findings, with CoreDNS's Corefile, log,
// RBAC and NodeLocal DNSCache read where permitted and the data-plane view loaded only
// when the Service path is the suspect.
import type { ClusterClient } from '../cluster/client.js';
import { finding } from '../checks/lib/finding.js';
import { KdiagError } from '../errors.js';
import { cmd, fix } from '../report/fix.js';
import { sanitize } from '../report/render.js';
import { isPodReady } from '../checks/lib/pods.js';
import { skippedPartFindings } from '../checks/permissions.js';
import type { DnsConfigReads, DnsSkipped } from '../cluster/dns-depth.js';
import { dnsDepthFindings, type DnsDepthInput, type DnsServer } from '../dataplane/dns-depth.js';
import type { DirectQuery, ResolvConf } from '../probes/interpret-dns.js';
import type { Finding } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import type { ProbeSettings } from './probe-cli.js';

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
  /** kdiag could not list pods in kube-system: how many DNS pods run is unknown. */
  podsUnknown: boolean;
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
  return {
    servers,
    clusterName,
    ...(externalName ? { externalName } : {}),
    args: pairs.length ? ['--direct', ...pairs] : [],
    dnsPods,
    podsUnknown: Boolean(snapshot.unavailable.pods),
  };
}

export interface DnsDepthOutcome {
  findings: Finding[];
  /** One row per server and name asked. */
  servers: { server: string; role: 'service' | 'pod'; pod?: string; node?: string; name: string; status: string; ms?: number }[];
  skipped: DnsSkipped[];
  nodeLocal?: string;
}

/**
 * Starts reading what the in-depth diagnosis needs besides CoreDNS's log; none of it depends on
 * the probe, so it runs while the probe pod starts. Pass the promise to explainDnsDepth.
 */
export function readDnsConfig(client: ClusterClient, plan: Pick<DnsServerPlan, 'dnsPods'>): Promise<DnsConfigReads> {
  const reads = import('../cluster/dns-depth.js').then(({ loadDnsConfig }) => loadDnsConfig(client, plan.dnsPods));
  // Awaited after the probe; a failure meanwhile must not count as unhandled.
  reads.catch(() => undefined);
  return reads;
}

export async function explainDnsDepth(
  client: ClusterClient,
  input: {
    plan: DnsServerPlan;
    direct: readonly DirectQuery[];
    resolvConf?: ResolvConf;
    probeNode?: string;
    clusterDomain: string;
    logs?: boolean;
    egressBlocked?: boolean;
    /** The Corefile, Deployment, NodeLocal DNSCache and RBAC, already being read (readDnsConfig) while the probe ran. */
    config?: Promise<DnsConfigReads>;
  },
): Promise<DnsDepthOutcome> {
  const { plan } = input;
  const { loadDnsConfig, loadDnsLogs, combineDnsReads } = await import('../cluster/dns-depth.js');
  // The log after the probe: errors its own queries caused are in it.
  const [config, logs] = await Promise.all([
    input.config ?? loadDnsConfig(client, plan.dnsPods),
    input.logs === false ? undefined : loadDnsLogs(client, plan.dnsPods),
  ]);
  const reads = combineDnsReads(config, logs);
  const base: DnsDepthInput = {
    clusterDomain: input.clusterDomain,
    servers: plan.servers,
    direct: input.direct,
    clusterName: plan.clusterName,
    ...(plan.externalName ? { externalName: plan.externalName } : {}),
    ...(input.resolvConf ? { resolvConf: input.resolvConf } : {}),
    ...(input.probeNode ? { probeNode: input.probeNode } : {}),
    ...(plan.servers.find((s) => s.role === 'service') ? { serviceIP: plan.servers.find((s) => s.role === 'service')!.address } : {}),
    ...(plan.podsUnknown ? {} : { dnsPods: plan.dnsPods.length }),
    ...(input.egressBlocked ? { egressBlocked: true } : {}),
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

/**
 * `kdiag check --probes`: one DNS probe pod (busybox nslookup) in `namespace` asks the DNS
 * Service and each CoreDNS pod directly, then the same in-depth diagnosis as kdiag dns.
 * Skipped (no pod started) when a NetworkPolicy keeps the probe from sending DNS there.
 */
export async function probeClusterDnsInDepth(
  client: ClusterClient,
  snapshot: Snapshot,
  options: { namespace: string; settings: ProbeSettings; image?: string },
): Promise<{ findings: Finding[]; note: string }> {
  const { settings, namespace } = options;
  const [cli, { DEFAULT_DNS_IMAGE, finishMarker, newRunId }, { DNS_SCRIPT }, { parseDnsProbeLog }, explain, netpol, { loadClusterDns }] = await Promise.all([
    import('./probe-cli.js'),
    import('../probes/pod-spec.js'),
    import('../probes/scripts.js'),
    import('../probes/interpret-dns.js'),
    import('../probes/explain.js'),
    import('../netpol/explain.js'),
    import('../cluster/cluster-dns.js'),
  ]);
  let dns = snapshot.clusterDns;
  try {
    dns ??= await loadClusterDns(client, snapshot);
  } catch (err) {
    if (err instanceof KdiagError) return { findings: [], note: `skipped: ${sanitize(err.message.split('\n')[0] ?? '')}` };
    throw err;
  }
  const view: Snapshot = { ...snapshot, pods: [...snapshot.pods, ...dns.pods], services: [...snapshot.services, ...dns.services] };
  const plan = planDnsServers(view, settings.clusterDomain);
  const runId = newRunId();
  const source = await cli.resolveSource(client, settings, namespace, 'dns', runId);
  const dnsPod = dns.pods[0];
  const egress = explain.dnsEgress(
    netpol.buildContext(snapshot),
    explain.probeEndpoint(source.namespace, source.effectiveLabels),
    explain.probeEndpoint('kube-system', dnsPod?.metadata?.labels ?? { 'k8s-app': 'kube-dns' }),
  );
  if (egress.allowed === false)
    return { findings: [], note: `skipped: NetworkPolicy ${egress.isolating.join(', ')} keeps a probe in ${namespace} from sending DNS` };
  if (!plan.args.length) {
    const findings = dnsDepthFindings({
      clusterDomain: settings.clusterDomain,
      servers: [],
      direct: [],
      clusterName: plan.clusterName,
      dnsPods: plan.dnsPods.length,
    });
    return { findings, note: 'no DNS Service or pod to ask' };
  }
  const nonce = cli.randomNonce();
  const settle = cli.settleSecondsFor(settings, snapshot, { namespace: source.namespace, labels: source.effectiveLabels }, ['kube-system']);
  const config = readDnsConfig(client, plan);
  let run: Awaited<ReturnType<typeof cli.executeProbe>>;
  try {
    run = await cli.executeProbe(
      client,
      {
        kind: 'dns',
        runId,
        namespace: source.namespace,
        image: options.image ?? DEFAULT_DNS_IMAGE,
        script: DNS_SCRIPT,
        args: [nonce, '3', String(settle), ...plan.args],
        finish: finishMarker(nonce, settle),
        deadlineSeconds: cli.podDeadlineSeconds(settings.timeoutMs),
        imagePullSecret: settings.imagePullSecret,
        nodeSelector: settings.nodeSelector,
        workloadLabels: source.labels,
        keep: false,
        command: `kdiag check --probes -n ${namespace}`,
      },
      settings,
      { interactive: false, quiet: true },
    );
  } catch (err) {
    if (!(err instanceof KdiagError)) throw err;
    const reason = sanitize(err.message.split('\n')[0] ?? 'failed');
    const f = finding(
      'KD6005',
      { kind: 'Namespace', name: namespace },
      {
        message: `${namespace}: the cluster DNS probe pod could not run: ${reason}`,
        cause: `kdiag check --probes starts one short-lived DNS pod that asks the DNS Service and each CoreDNS pod directly; in ${namespace} it failed: ${reason}`,
        fix: fix`Run it alone for details: ${cmd('kdiag', 'dns', 'kubernetes.default', '-n', namespace)}`,
      },
    );
    return { findings: [f], note: `could not run (${reason})` };
  }
  const output = parseDnsProbeLog(run.log, nonce);
  const outcome = await explainDnsDepth(client, {
    plan,
    direct: output.direct,
    ...(output.resolvConf ? { resolvConf: output.resolvConf } : {}),
    ...(run.node ? { probeNode: run.node } : {}),
    clusterDomain: settings.clusterDomain,
    config,
  });
  const failing = outcome.servers.filter((r) => r.status !== 'OK').length;
  return { findings: outcome.findings, note: `DNS: ${outcome.servers.length - failing}/${outcome.servers.length} direct lookups answered` };
}
