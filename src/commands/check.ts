import { Flags } from '@oclif/core';
import { EXIT_CODES_TEXT, KdiagCommand, PROMETHEUS_FLAGS } from '../base-command.js';
import type { CheckResult } from '../report/check-result.js';
import type { Finding, Severity } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import type { DataplaneSection } from '../dataplane/check.js';

/** Up to this many nodes, kdiag check prints the data plane's table; beyond, one line (all rows with -o wide). */
const DATAPLANE_ROWS = 10;

export default class Check extends KdiagCommand<typeof Check> {
  static override summary = "Runs the guide's whole operational checklist as one runbook step.";
  static override description = `Checks that the cluster answers, that kdiag may read what it needs (SelfSubjectAccessReview; a missing permission becomes a finding naming the rule to add, and only the checks that need it are skipped), then runs every check over one snapshot in which each kind is listed once: Service endpoints, Service types, Ingresses, Gateway API Gateways and routes (when the Gateway API is installed), NetworkPolicies, the cluster DNS and the data plane per node (the rows and findings of kdiag dataplane: kube-proxy or its replacement, the NetworkPolicy enforcer, CoreDNS; shown as its own section). Ends with a summary table and the findings grouped by severity. A check that crashes is reported as errored; the others still run.

Outputs: table (default), json, yaml, junit (one test case per check and object, for CI) markdown (for an incident channel or ticket) and prometheus (metrics in the Prometheus text format, to stdout, --output-file or --pushgateway; see deploy/cronjob.yaml). Silence codes, objects or namespaces and set thresholds in .kdiag.yaml (or --config).

EXIT CODES
${EXIT_CODES_TEXT}
  (2 also when a check could not run, e.g. the API server stopped answering mid-run.)`;

  static override examples = [
    { description: 'The whole checklist for production', command: '<%= config.bin %> check -n production' },
    { description: 'All namespaces, JUnit for CI', command: '<%= config.bin %> check -A -o junit > kdiag.xml' },
    {
      description: 'Only endpoints and ingress, failing on warnings too',
      command: '<%= config.bin %> check -n production --only endpoints,ingress --fail-on warning',
    },
  ];

  static override extraOutputs = ['junit', 'markdown', 'prometheus', 'html'];

  static override flags = {
    ...PROMETHEUS_FLAGS,
    only: Flags.string({ description: 'Run only these checks (comma-separated ids).' }),
    skip: Flags.string({ description: 'Skip these checks (comma-separated ids).' }),
    probes: Flags.boolean({
      description: 'Also run live probes: one short-lived curl pod per namespace tests every Service (DNS and connection).',
      default: false,
      helpGroup: 'PROBE',
    }),
    concurrency: Flags.integer({ description: 'With --probes: at most this many probe pods alive at once.', default: 5, min: 1, max: 50, helpGroup: 'PROBE' }),
    'curl-image': Flags.string({ description: 'With --probes: image with curl and sh.', default: 'curlimages/curl:8.11.1', helpGroup: 'PROBE' }),
    'image-pull-secret': Flags.string({ description: 'With --probes: image pull Secret in the probe namespace.', helpGroup: 'PROBE' }),
    'node-selector': Flags.string({ description: 'With --probes: run probes on nodes with these labels (key=value,...).', helpGroup: 'PROBE' }),
    timeout: Flags.string({ description: 'With --probes: how long to wait for each probe pod.', default: '60s', helpGroup: 'PROBE' }),
    settle: Flags.string({
      description:
        'With --probes: wait this long in the pod before testing (NetworkPolicy programming). auto: 2s when a NetworkPolicy isolates the probe or a target namespace, else none.',
      default: 'auto',
      helpGroup: 'PROBE',
    }),
    'cluster-domain': Flags.string({ description: 'With --probes: the cluster DNS domain.', default: 'cluster.local', helpGroup: 'PROBE' }),
    'from-labels': Flags.string({
      description:
        "With --probes: each namespace's probe pods carry these labels (key=value,...), so its NetworkPolicies treat them as that namespace's client with them; endpoints silent to them despite a predicted allow are tried again from an unlabelled pod (KD5046).",
      helpGroup: 'PROBE',
    }),
    'cert-warn-days': Flags.integer({ description: 'Report certificates that expire within this many days (default 14, or thresholds.certWarnDays).', min: 0 }),
  };

  public async run(): Promise<void> {
    const [
      { loadChecks },
      { resultOf },
      { applyConfig },
      { permissionsFor, missingPermissionFinding, clusterDnsPermissions, mergePermissions, probePermissions, skippedParts, skippedPartFindings },
      { KdiagError, UsageError, EXIT_FAILURE },
    ] = await Promise.all([
      import('../engine/registry.js'),
      import('../report/check-result.js'),
      import('../config.js'),
      import('../checks/permissions.js'),
      import('../errors.js'),
    ]);
    const config = await this.kdiagConfig();
    const all = await loadChecks();
    const ids = all.map((c) => c.id);
    const list = (v?: string) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
    for (const id of [...list(this.flags.only), ...list(this.flags.skip)]) {
      if (!ids.includes(id)) throw new UsageError(`unknown check "${id}": checks are ${ids.join(', ')}`);
    }
    const only = list(this.flags.only);
    const skip = list(this.flags.skip);
    const selected = all.filter((c) => (only.length === 0 || only.includes(c.id)) && !skip.includes(c.id));
    const failOn = this.flags['fail-on'] as Severity;
    const probing = this.flags.probes;
    const [{ probeSettings }, { imageReference, labelMap }] = await Promise.all([import('../engine/probe-cli.js'), import('../validate.js')]);
    // Validate the probe flags before anything is sent.
    const settings = probing
      ? probeSettings({
          timeout: this.flags.timeout,
          keep: false,
          'cluster-domain': this.flags['cluster-domain'],
          settle: this.flags.settle,
          'image-pull-secret': this.flags['image-pull-secret'],
          'node-selector': this.flags['node-selector'],
        })
      : undefined;
    // Each namespace's probe as that namespace's client with these labels (resolveSource: in the namespace probed).
    if (this.flags['from-labels'] !== undefined && !settings) throw new UsageError('--from-labels labels the probe pods: it needs --probes');
    if (settings && this.flags['from-labels'] !== undefined) settings.fromLabels = labelMap(this.flags['from-labels'], '--from-labels');
    const curlImage = probing ? imageReference(this.flags['curl-image']) : undefined;
    const options = await this.checkOptions({ certWarnDays: this.flags['cert-warn-days'] });

    const client = await this.client();
    const namespace = await this.namespaceScope();
    const findings: Finding[] = [];
    const results: CheckResult[] = [];
    const progress = await this.progress();
    let version = '';
    let fatal: Error | undefined;
    let taken: Snapshot | undefined;
    let probeSummary: { pods: number; maxAlive: number; results: { namespace: string; target: string; outcome: string; totalMs?: number }[] } | undefined;

    // The loaders the snapshot step needs, read from disk while the first requests are out.
    const wanted = new Set(selected.flatMap((c) => c.extras ?? []));
    const loaders = Promise.all([
      import('../cluster/load.js'),
      wanted.has('clusterDns') ? import('../cluster/cluster-dns.js') : undefined,
      wanted.has('ingress') ? import('../cluster/ingress.js') : undefined,
      wanted.has('gateway') ? import('../cluster/gateway.js') : undefined,
      wanted.has('netpol') ? import('../cluster/netpol.js') : undefined,
      wanted.has('dataplane') ? import('../cluster/dataplane.js') : undefined,
    ]);
    loaders.catch(() => {});
    try {
      const needed = mergePermissions(
        permissionsFor(selected, namespace),
        selected.some((c) => c.id === 'cluster-dns') && namespace !== undefined ? clusterDnsPermissions() : [],
        probing ? probePermissions(namespace as string) : [],
      );
      // The access reviews go out with the version request (one round trip instead of two); an
      // unreachable cluster is still reported by the first step.
      const reviews = needed.map((p) => client.canI(p.verb, p.resource, p.group, p.namespace, p.subresource));
      for (const review of reviews) review.catch(() => {});
      version = await progress.step('Cluster reachable', async () => {
        const v = await client.serverVersion();
        return `${client.server} (${v})`;
      });

      const denied = await progress.step('Permissions', async () => {
        const answers = await Promise.all(needed.map(async (p, i) => ({ p, allowed: await reviews[i]! })));
        const missing = answers.filter((a) => !a.allowed).map((a) => a.p);
        return { value: missing, note: missing.length ? `${missing.length} missing` : `${needed.length} allowed` };
      });
      findings.push(...denied.map(missingPermissionFinding));
      const deniedChecks = new Set(denied.flatMap((p) => p.neededBy));
      const runnable = selected.filter((c) => !deniedChecks.has(c.id));
      if (runnable.every((c) => c.supplementary) && denied.length > 0 && (!probing || deniedChecks.has('probes'))) {
        const first = denied[0]!;
        const resource = `${first.resource}${first.subresource ? `/${first.subresource}` : ''}${first.group ? `.${first.group}` : ''}`;
        throw new KdiagError(
          `you lack \`${first.verb}\` on \`${resource}\` ${first.namespace ? `in namespace ${first.namespace}` : 'at cluster scope'} (and ${denied.length - 1} more permissions), so no check can run: bind the kdiag-read ClusterRole (deploy/rbac.yaml)`,
        );
      }

      // Optional kinds (e.g. TLS Secrets) are listed when allowed; without them checks say what they skipped.
      const optional = runnable.flatMap((c) => c.optional ?? []);
      const probeKinds = probing && !deniedChecks.has('probes') ? (['services', 'endpointslices', 'pods', 'networkpolicies', 'namespaces'] as const) : [];
      const kinds = [...new Set([...runnable.flatMap((c) => c.requires), ...optional, ...probeKinds])];
      const snapshot: Snapshot = await progress.step('Snapshot', async () => {
        const [{ loadSnapshot }, dnsLoader, ingressLoader, gatewayLoader, netpolLoader, dataplaneLoader] = await loaders;
        const snap = await loadSnapshot(client, kinds, { namespace, tolerateForbidden: true });
        const extras = new Set(runnable.flatMap((c) => c.extras ?? []));
        // The extra inputs load side by side; only the data plane waits for the NetworkPolicy
        // loader, whose cluster-wide lists it reads (kube-system's Pods and DaemonSets).
        // The same loaders as kdiag ingress, gateway, netpol and dataplane: the same data, so the same findings.
        const [clusterDns, ingress, gateway] = await Promise.all([
          extras.has('clusterDns') ? dnsLoader!.loadClusterDns(client, snap) : undefined,
          extras.has('ingress') ? ingressLoader!.loadIngressInputs(client, snap) : undefined,
          extras.has('gateway') ? gatewayLoader!.loadGatewayInputs(client, snap) : undefined,
          (async () => {
            if (extras.has('netpol')) snap.netpol = await netpolLoader!.loadNetpolInputs(client, snap);
            if (extras.has('dataplane')) snap.dataplane = await dataplaneLoader!.loadDataplaneView(client, { kubeProxyConfig: true, snapshot: snap });
          })(),
        ]);
        if (clusterDns) snap.clusterDns = clusterDns;
        if (ingress) snap.ingress = ingress;
        if (gateway) snap.gateway = gateway;
        const counts = kinds.map((k) => `${(snap[k] as unknown[]).length} ${k}`).join(', ');
        return { value: snap, note: counts || 'nothing to list' };
      });
      taken = snapshot;
      // Inputs the API refused remove only the parts of checks that need them: one line per permission.
      const partial = skippedPartFindings(skippedParts(runnable, snapshot));
      findings.push(...partial);
      for (const f of partial) progress.note(`not checked: ${f.message}`);

      for (const check of selected) {
        if (deniedChecks.has(check.id)) {
          results.push({
            id: check.id,
            title: check.title,
            status: 'skipped',
            errors: 0,
            warnings: 0,
            infos: 0,
            durationMs: 0,
            reason: 'missing permissions (see KD6001)',
            findings: [],
          });
          progress.note(`${check.title}: skipped (missing permissions)`);
          continue;
        }
        const started = performance.now();
        try {
          const found = applyConfig(check.run(snapshot, options), config);
          const result = resultOf(check.id, check.title, found, performance.now() - started, failOn);
          results.push(result);
          findings.push(...found);
          progress.note(`${check.title}: ${result.status} (${result.errors} errors, ${result.warnings} warnings)`);
        } catch (err) {
          const reason = (err as Error).message.split('\n')[0] ?? 'failed';
          results.push({
            id: check.id,
            title: check.title,
            status: 'errored',
            errors: 0,
            warnings: 0,
            infos: 0,
            durationMs: performance.now() - started,
            reason,
            findings: [],
          });
          findings.push({
            code: 'KD6002',
            check: 'check',
            severity: 'error',
            object: { kind: 'Check', name: check.id },
            message: `${check.id}: the check failed: ${reason}`,
            cause: "The check threw an error on this cluster's data; the other checks still ran.",
            fix: 'Rerun with --debug and report the error with the object that caused it.',
          });
          progress.note(`${check.title}: errored (${reason})`);
        }
      }
      if (probing) {
        if (deniedChecks.has('probes')) {
          results.push({
            id: 'probes',
            title: 'Live probes',
            status: 'skipped',
            errors: 0,
            warnings: 0,
            infos: 0,
            durationMs: 0,
            reason: 'missing permissions (see KD6001)',
            findings: [],
          });
        } else {
          const started = performance.now();
          const { probeNamespaces } = await import('../engine/runbook.js');
          // Namespaces silenced in .kdiag.yaml are not probed either.
          const namespaces = (namespace ? [namespace] : [...new Set(snapshot.services.map((s) => s.metadata?.namespace ?? ''))].filter(Boolean).sort()).filter(
            (ns) => !config.ignore.namespaces.includes(ns),
          );
          const probed = await progress.step('Probes', async () => {
            const r = await probeNamespaces(client, snapshot, namespaces, {
              settings: settings!,
              concurrency: this.flags.concurrency,
              image: curlImage,
              note: (l) => progress.note(l),
            });
            return { value: r, note: `${r.targets} Service(s) in ${namespaces.length} namespace(s), ${r.pods} probe pod(s), at most ${r.maxAlive} at once` };
          });
          probeSummary = { pods: probed.pods, maxAlive: probed.maxAlive, results: probed.results };
          // Cluster DNS in depth: one DNS probe asks the DNS Service and each CoreDNS pod (src/engine/dns-depth.ts).
          const dns =
            namespaces[0] && runnable.some((c) => c.id === 'cluster-dns')
              ? await progress.step('Cluster DNS probe', async () => {
                  const r = await (
                    await import('../engine/dns-depth.js')
                  ).probeClusterDnsInDepth(client, snapshot, { namespace: namespaces[0]!, settings: settings! });
                  return { value: r.findings, note: r.note };
                })
              : [];
          const found = applyConfig([...probed.findings, ...dns], config);
          results.push(resultOf('probes', 'Live probes', found, performance.now() - started, failOn));
          findings.push(...found);
        }
      }
    } catch (err) {
      if (!(err instanceof KdiagError)) throw err;
      fatal = err;
      for (const check of selected) {
        if (!results.some((r) => r.id === check.id)) {
          results.push({
            id: check.id,
            title: check.title,
            status: 'errored',
            errors: 0,
            warnings: 0,
            infos: 0,
            durationMs: 0,
            reason: err.message,
            findings: [],
          });
        }
      }
    } finally {
      progress.done();
    }

    // The data-plane section: the same rows as kdiag dataplane, from the same snapshot the check read.
    const dataplane =
      taken?.dataplane && results.some((r) => r.id === 'dataplane' && r.status !== 'errored' && r.status !== 'skipped')
        ? (await import('../dataplane/check.js')).dataplaneSection(taken)
        : undefined;
    const report = {
      apiVersion: 'kdiag/v1' as const,
      kind: 'CheckReport',
      context: client.contextName,
      namespace: namespace ?? null,
      server: client.server,
      serverVersion: version || null,
      ...(fatal ? { error: fatal.message } : {}),
      findings: applyConfig(findings, config),
      checks: results.map(({ findings: _f, ...r }) => ({ ...r, durationMs: Math.round(r.durationMs) })),
      ...(dataplane ? { dataplane: { nodes: dataplane.nodes, skipped: dataplane.skipped } } : {}),
      ...(probeSummary ? { probes: probeSummary } : {}),
    };

    if (this.output === 'html') {
      const { htmlReport } = await import('../engine/html-report.js');
      // The Gateways' proxy Pods (often in the implementation's namespace) for the Gateway traffic paths.
      const gateways = taken?.gateway;
      const planes =
        gateways && !gateways.unavailable && gateways.gateways.length
          ? await (await import('../cluster/gateway.js')).loadDataPlanes(client, gateways)
          : undefined;
      this.log(htmlReport(report, taken, new Date(), planes));
      if (fatal) {
        this.logToStderr(`kdiag: ${fatal.message}`);
        this.exit(EXIT_FAILURE);
      }
      this.exitForFindings(report.findings);
      return;
    }
    if (this.output === 'junit') {
      const { renderJunit } = await import('../report/junit.js');
      this.log(renderJunit(results, failOn));
    } else if (this.output === 'markdown') {
      const [{ renderMarkdown }, { shellJoin }] = await Promise.all([import('../report/markdown.js'), import('../report/shell.js')]);
      this.log(
        renderMarkdown(shellJoin(['kdiag', 'check', ...(namespace ? ['-n', namespace] : ['-A'])]), results, report.findings, [
          `context: ${client.contextName}`,
          `server: ${client.server}${version ? ` (${version.split(' ').pop()})` : ''}`,
        ]),
      );
    }
    if (fatal) {
      if (this.output !== 'junit' && this.output !== 'markdown')
        await this.emit(report, (wide) => this.summary(results, dataplane, wide), { exit: false, checksShown: true });
      this.logToStderr(`kdiag: ${fatal.message}`);
      this.exit(EXIT_FAILURE);
    }
    if (this.output === 'junit' || this.output === 'markdown') {
      this.exitForFindings(report.findings);
      return;
    }
    await this.emit(report, (wide) => this.summary(results, dataplane, wide), { checksShown: true });
    if (results.some((r) => r.status === 'errored')) this.exit(EXIT_FAILURE);
  }

  /**
   * The data plane per node below the checks: the table of kdiag dataplane up to
   * DATAPLANE_ROWS nodes (all with -o wide), else one line of counts.
   */
  private dataplaneText(section: DataplaneSection, wide: boolean): string {
    const lines = ['', 'DATA PLANE (per node; the same as kdiag dataplane)'];
    const rows = section.nodes;
    if (rows.length === 0) lines.push(section.skipped.some((s) => s.startsWith('nodes')) ? 'Nodes could not be read.' : 'No nodes found.');
    else if (wide || rows.length <= DATAPLANE_ROWS)
      lines.push(
        this.table(
          ['NODE', 'READY', 'SERVICE PROXY', 'MODE', 'POLICY ENFORCER', 'COREDNS'],
          rows.map((r) => [r.node, r.ready === null ? '?' : r.ready ? 'yes' : 'NO', r.serviceProxy, r.mode ?? '-', r.enforcer, r.coredns.join(', ') || '-']),
        ),
      );
    else {
      const withFinding = new Set(section.findings.map((f) => f.object.name));
      lines.push(
        `${rows.length} nodes, ${rows.filter((r) => withFinding.has(r.node)).length} with a finding below; every node: kdiag check -o wide, or kdiag dataplane`,
      );
    }
    if (section.skipped.length) lines.push(`Skipped (no permission or not found): ${section.skipped.join('; ')}`);
    return lines.join('\n');
  }

  private summary(results: CheckResult[], dataplane: DataplaneSection | undefined, wide: boolean): string {
    const status = (r: CheckResult) =>
      r.status === 'passed'
        ? this.style.ok('passed')
        : r.status === 'failed'
          ? this.style.severity('error', 'failed')
          : r.status === 'errored'
            ? this.style.severity('error', 'errored')
            : this.style.paint('dim', 'skipped');
    const checks = this.table(
      ['CHECK', 'STATUS', 'ERRORS', 'WARNINGS', 'TIME'],
      results.map((r) => [r.id, status(r), String(r.errors), String(r.warnings), `${(r.durationMs / 1000).toFixed(2)}s`]),
    );
    return dataplane ? `${checks}\n${this.dataplaneText(dataplane, wide)}` : checks;
  }
}
