import { Args, Flags } from '@oclif/core';
import { EXIT_CODES_TEXT, KdiagCommand } from '../base-command.js';
import type { DnsAnalysis } from '../probes/interpret-dns.js';
import type { ClusterDnsHealth } from '../probes/explain.js';
import type { DnsExpectation, DnsPlan } from '../probes/plan.js';
import type { ProbeRun } from '../cluster/probe-runner.js';
import type { DnsDepthOutcome } from '../engine/dns-depth.js';
import { keepNote, probeFlags, probeSettings } from '../engine/probe-cli.js';
import { sanitize } from '../report/render.js';
import { DEFAULT_DNS_IMAGE } from '../probes/pod-spec.js';
import { isNamespaceNotFound } from '../errors.js';

export default class Dns extends KdiagCommand<typeof Dns> {
  static override summary = 'Resolve a Service name from a short-lived pod and explain the answer.';
  static override description = `Runs busybox nslookup in a short-lived, locked-down pod (Pod Security "restricted", no service-account token, deleted afterwards) and resolves NAME three ways: the short name, NAME.NAMESPACE and the FQDN with a trailing dot. Each attempt of the resolver's search-list walk is shown with its time. Answers are compared with the Service (ClusterIP; headless: the ready pod IPs; ExternalName: the CNAME). Prints the pod's resolv.conf and what ndots costs, checks the cluster DNS pods and the kube-dns endpoints, and explains NXDOMAIN (similar Service names), timeouts (DNS pods, endpoints, an egress NetworkPolicy without DNS) and SERVFAIL.

NAME is a Service (svc, svc.ns), a StatefulSet pod behind a headless Service (pod.svc), a cluster FQDN or any other DNS name.

The probe runs in the -n namespace (or --probe-namespace). With --from NAMESPACE/POD (or --from-namespace with --from-labels) it runs there with the workload's labels, so egress NetworkPolicies treat it like the workload; such a pod is owned by its Job (no ReplicaSet or StatefulSet adopts it) and has a readiness probe that always fails (it never becomes a ready endpoint). When a NetworkPolicy selects the probe for egress or isolates the DNS pods, it first waits --settle (auto: 2s) so the NetworkPolicy enforcer has programmed its rules for the new pod.

If kdiag is interrupted (Ctrl-C, SIGTERM) it deletes the probe before exiting; if it is killed outright, the probe Job's deadline and ttlSecondsAfterFinished make the cluster delete it within --timeout + 60s.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    { description: 'Resolve a Service from its own namespace', command: '<%= config.bin %> dns api-service -n production' },
    { description: 'A StatefulSet pod behind a headless Service', command: '<%= config.bin %> dns redis-0.redis-headless -n production' },
    {
      description: 'Resolve as a workload would (its namespace and labels)',
      command: '<%= config.bin %> dns postgres -n production --from production/api-server-7d9c-abcde',
    },
  ];

  static override args = {
    name: Args.string({ description: 'Service name (svc, svc.ns), pod.svc, FQDN or any DNS name.', required: true }),
  };

  static override flags = {
    image: Flags.string({
      description: 'Image with busybox nslookup (for mirrors in air-gapped clusters).',
      default: DEFAULT_DNS_IMAGE,
      aliases: ['dns-image'],
      helpGroup: 'PROBE',
    }),
    ...probeFlags,
  };

  public async run(): Promise<void> {
    const settings = probeSettings(this.flags);
    const name = this.args.name;
    const [{ parseDnsName, planDns, dnsExpectation, subjectNamespace }, { probeHost, imageReference }] = await Promise.all([
      import('../probes/plan.js'),
      import('../validate.js'),
    ]);
    probeHost(name, 'name');
    const image = imageReference(this.flags.image);
    const client = await this.client();
    const namespace = this.flags.namespace ?? client.defaultNamespace;
    const [{ loadSnapshot }, cli, { finishMarker, newRunId }, { DNS_SCRIPT }, interpret, explain, depth] = await Promise.all([
      import('../cluster/load.js'),
      import('../engine/probe-cli.js'),
      import('../probes/pod-spec.js'),
      import('../probes/scripts.js'),
      import('../probes/interpret-dns.js'),
      import('../probes/explain.js'),
      import('../engine/dns-depth.js'),
    ]);

    const load = async (ns: string, kinds: Parameters<typeof loadSnapshot>[1]) => {
      try {
        return await loadSnapshot(client, kinds, { namespace: ns, tolerateForbidden: true });
      } catch (err) {
        if (isNamespaceNotFound(err, ns)) return undefined;
        throw err;
      }
    };
    // `a.b` is pod.svc when b is a Service of the namespace, else svc.ns.
    const twoLabels = !name.endsWith('.') && name.split('.').length === 2;
    const home = twoLabels ? await load(namespace, ['services']) : undefined;
    const subject = parseDnsName(
      name,
      namespace,
      settings.clusterDomain,
      (home?.services ?? []).map((s) => s.metadata?.name ?? ''),
    );
    const subjectNs = subjectNamespace(subject);
    const runId = newRunId();
    // The probe runs in the chosen namespace (-n): "can a pod there resolve NAME?".
    const source = await cli.resolveSource(client, settings, namespace, 'dns', runId);
    const pod = {
      kind: 'dns' as const,
      runId,
      namespace: source.namespace,
      image,
      script: DNS_SCRIPT,
      deadlineSeconds: cli.podDeadlineSeconds(settings.timeoutMs),
      imagePullSecret: settings.imagePullSecret,
      nodeSelector: settings.nodeSelector,
      workloadLabels: source.labels,
      keep: settings.keep,
      command: `kdiag dns ${name}`,
    };
    // Admission answers while the cluster is read (the script's arguments come from what is read).
    const admitted = cli.admitProbe(client, { ...pod, args: [] });
    const kdiagConfig = this.kdiagConfig();
    kdiagConfig.catch(() => undefined); // awaited below

    const [target, probeNs, kubeSystem, namespaces] = await Promise.all([
      subjectNs ? load(subjectNs, ['services', 'endpointslices', 'pods']) : Promise.resolve(undefined),
      load(source.namespace, ['networkpolicies']),
      load('kube-system', ['services', 'endpointslices', 'pods', 'networkpolicies']),
      loadSnapshot(client, ['namespaces'], { tolerateForbidden: true }),
    ]);
    if (!probeNs) {
      const { KdiagError } = await import('../errors.js');
      throw new KdiagError(`namespace ${source.namespace} not found (the probe would run there)`);
    }
    const snapshot = cli.mergeSnapshots([target, probeNs, kubeSystem, namespaces].filter((s): s is NonNullable<typeof s> => s !== undefined));
    const plan = planDns(name, subject, source.namespace, settings.clusterDomain);
    const expectation = dnsExpectation(subject, snapshot);
    // Each CoreDNS pod and the DNS Service asked directly, from the same probe pod.
    const servers = depth.planDnsServers(snapshot, settings.clusterDomain, subject.kind === 'external' ? subject.name : undefined);
    if (subjectNs && !target) expectation.description += ` (namespace ${subjectNs} does not exist)`;

    const nonce = cli.randomNonce();
    // Per attempt of the search walk; .kdiag.yaml thresholds.dnsTimeoutSeconds overrides it.
    const configured = (await kdiagConfig).thresholds.dnsTimeoutSeconds;
    const perAttemptSeconds = configured === undefined ? 3 : Math.min(30, Math.max(1, Math.round(configured)));
    const settle = cli.settleSecondsFor(settings, snapshot, { namespace: source.namespace, labels: source.effectiveLabels }, ['kube-system']);
    const spec = {
      ...pod,
      args: [nonce, String(perAttemptSeconds), String(settle), ...plan.queries.map((q) => q.query), ...servers.args],
      finish: finishMarker(nonce, settle),
    };
    // CoreDNS's Corefile, Deployment and RBAC are read while the probe pod starts.
    const config = depth.readDnsConfig(client, servers);
    const run = await cli.executeProbe(client, spec, settings, {
      interactive: cli.canDrawProgress(this.output) && !this.flags['no-color'],
      admitted,
      deferCleanup: true,
    });
    // The probe is deleted while its result is explained (CoreDNS's log is read now, so errors
    // the probe's own queries caused are in it); the report comes once the probe is gone.
    const { analysis, dnsHealth, inDepth, report } = await cli.whileDeleting(run, async () => {
      const output = interpret.parseDnsProbeLog(run.log, nonce);
      if (output.lookups.length === 0 || output.lookups.every((l) => l.outcome === 'error')) {
        const { ProbeError, noResultFailure } = await import('../probes/state.js');
        const { sanitize: clean } = await import('../report/render.js');
        throw new ProbeError(noResultFailure(image, 'nslookup', clean(run.log)));
      }
      const dnsHealth = explain.clusterDnsHealth(snapshot);
      const dnsPod = snapshot.pods.find((p) => p.metadata?.namespace === 'kube-system' && p.metadata?.labels?.['k8s-app'] === 'kube-dns');
      const [netpol, netpolExplain] = await Promise.all([import('../netpol/policy.js'), import('../netpol/explain.js')]);
      const dnsEndpoint = dnsPod ? netpol.podEndpoint(dnsPod) : explain.probeEndpoint('kube-system', { 'k8s-app': 'kube-dns' });
      const dnsEgress = explain.dnsEgress(netpolExplain.buildContext(snapshot), explain.probeEndpoint(source.namespace, source.effectiveLabels), dnsEndpoint);
      const analysis = interpret.analyzeDns({ plan, output, expectation, dnsHealth, dnsEgress });
      const inDepth = await depth.explainDnsDepth(client, {
        plan: servers,
        direct: output.direct,
        ...(output.resolvConf ? { resolvConf: output.resolvConf } : {}),
        ...(run.node ? { probeNode: run.node } : {}),
        clusterDomain: settings.clusterDomain,
        egressBlocked: dnsEgress.allowed === false,
        config,
      });
      const { mergeDnsFindings } = await import('../dataplane/dns-depth.js');
      analysis.findings = mergeDnsFindings(analysis.findings, inDepth.findings);

      const report = {
        apiVersion: 'kdiag/v1' as const,
        kind: 'DnsReport',
        context: client.contextName,
        name,
        subject,
        expected: { description: expectation.description, addresses: expectation.addresses, ...(expectation.cname ? { cname: expectation.cname } : {}) },
        probe: cli.probeRecord(run, image, source),
        resolvConf: analysis.resolvConf
          ? {
              nameservers: analysis.resolvConf.nameservers,
              search: analysis.resolvConf.search,
              ndots: analysis.resolvConf.ndots,
              options: analysis.resolvConf.options,
            }
          : null,
        lookups: analysis.rows,
        clusterDns: dnsHealth,
        servers: inDepth.servers,
        ...(inDepth.nodeLocal ? { nodeLocal: inDepth.nodeLocal } : {}),
        skipped: inDepth.skipped.map((x) => x.part),
        findings: analysis.findings,
      };
      return { analysis, dnsHealth, inDepth, report };
    });
    await this.emit(report, (wide) => this.human(plan, expectation, analysis, dnsHealth, run, image, source.description, wide, inDepth));
  }

  private human(
    plan: DnsPlan,
    expectation: DnsExpectation,
    a: DnsAnalysis,
    h: ClusterDnsHealth,
    run: ProbeRun,
    image: string,
    source: string,
    wide: boolean,
    inDepth: DnsDepthOutcome,
  ): string {
    const ms = (n?: number, res?: number) => (n === undefined ? '' : res && n < res ? `<${res}ms` : `${n}ms`);
    const lines: string[] = [];
    lines.push(
      `Name:      ${plan.input}${plan.subject.kind === 'external' ? '' : ` (${plan.subject.kind === 'pod' ? `pod ${plan.subject.hostname} of ` : ''}Service ${plan.subject.namespace}/${plan.subject.service})`}`,
    );
    lines.push(`Expected:  ${expectation.description}`);
    lines.push(`Probe:     pod ${run.podName} ${source}${run.node ? ` on node ${run.node}` : ''} (${image}), ${(run.elapsedMs / 1000).toFixed(1)}s`);
    if (run.exitCode !== undefined && run.exitCode !== 0)
      lines.push(`           the probe container ended with exit code ${run.exitCode}${run.terminationReason ? ` (${run.terminationReason})` : ''}`);
    lines.push('');
    const head = ['QUERY', 'STATUS', 'ANSWER', 'MATCH', 'TIME', 'TRIED'];
    const rows = a.rows.map((r) => [
      r.query,
      r.status,
      r.answer,
      r.matches === undefined ? '' : r.matches ? 'yes' : 'NO',
      ms(r.ms, r.resolutionMs),
      String(r.attempts.length),
    ]);
    lines.push(this.table(head, rows));
    for (const r of a.rows) if (r.note) lines.push(`  ${r.query}: ${r.note}`);
    if (wide) {
      lines.push('', "ATTEMPTS (the resolver's search-list walk)");
      lines.push(
        this.table(
          ['QUERY', 'NAME ASKED', 'RESULT', 'TIME'],
          a.rows.flatMap((r) => r.attempts.map((t) => [r.query, t.name, t.outcome, ms(t.ms, r.resolutionMs)])),
        ),
      );
    }
    const conf = a.resolvConf;
    if (conf) {
      lines.push('', 'resolv.conf of the probe pod:');
      for (const l of conf.raw.split('\n').filter((x) => x.trim())) lines.push(`  ${sanitize(l)}`);
      if (conf.ndots >= 2) {
        lines.push(
          `ndots:${conf.ndots}: a name with fewer than ${conf.ndots} dots is first tried with each of the ${conf.search.length} search domain(s), so api.example.com costs ${conf.search.length + 1} lookups (${conf.search.length} NXDOMAIN first). Use FQDNs with a trailing dot, or dnsConfig ndots:2, for external names.`,
        );
      }
    }
    const ready = h.pods.filter((p) => p.ready).length;
    lines.push(
      '',
      h.unknown
        ? `Cluster DNS: unknown (${h.unknown})`
        : `Cluster DNS: ${ready}/${h.pods.length} pod(s) Ready${h.pods.length ? ` (${h.pods.map((p) => p.name).join(', ')})` : ''}, Service ${h.service ? `kube-system/${h.service.name} (${h.service.clusterIP ?? '?'})` : 'kube-dns missing'}, ${h.readyEndpoints} ready endpoint(s)`,
    );
    if (inDepth.servers.length) {
      lines.push('', 'Asked directly (the DNS Service and each CoreDNS pod, from the same probe pod):');
      lines.push(
        this.table(
          ['SERVER', 'POD', 'NAME', 'STATUS', 'TIME'],
          inDepth.servers.map((r) => [r.server, r.role === 'service' ? '(Service kube-dns)' : (r.pod ?? ''), r.name, r.status, ms(r.ms)]),
        ),
      );
    }
    if (inDepth.nodeLocal) lines.push(`NodeLocal DNSCache: ${inDepth.nodeLocal}`);
    if (conf) lines.push(`Search list: ${conf.search.length} domain(s), ${conf.search.join(' ').length} characters`);
    for (const part of inDepth.skipped) lines.push(`not checked (no permission): ${part.part}`);
    if (run.kept) lines.push('', keepNote(run));
    return lines.join('\n');
  }
}
