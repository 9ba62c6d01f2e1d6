import { Args, Flags } from '@oclif/core';
import { EXIT_CODES_TEXT, KdiagCommand } from '../base-command.js';
import type { ProbeRun } from '../cluster/probe-runner.js';
import { keepNote, probeFlags, probeSettings } from '../engine/probe-cli.js';
import type { ConnectivityRow } from '../probes/interpret-http.js';
import type { DirectRow } from '../dataplane/differential.js';
import { DEFAULT_CURL_IMAGE } from '../probes/pod-spec.js';
import { isNamespaceNotFound } from '../errors.js';

export default class Connectivity extends KdiagCommand<typeof Connectivity> {
  static override summary = 'Connect to Services, pods or host:port from a short-lived pod and explain failures.';
  static override description = `Runs curl in one short-lived, locked-down pod (Pod Security "restricted", no service-account token, deleted afterwards) against every TARGET at once. HTTP(S) targets get a timing breakdown (DNS, connect, TLS, first byte, total), the status code and, when the backend says so, which pod answered; ports that do not speak HTTP (postgres 5432, redis 6379, or Service ports without an HTTP name) get a TCP connect. Failures are explained with what kdiag knows: no ready endpoints (and why), a NetworkPolicy that selects the probe or the destination and allows nothing for this connection (named), connection refused (the port/targetPort pair), HTTP 5xx (the pods behind the Service).

TARGET is a Service (svc, svc.ns, svc:port), a pod (pod/NAME[:port]), host:port, or an http(s):// URL.

With --from NAMESPACE/POD (or --from-namespace with --from-labels) the probe runs in that namespace with the workload's labels, so NetworkPolicies treat it like the real client. Such a probe pod is owned by its Job (so no ReplicaSet or StatefulSet adopts it) and has a readiness probe that always fails (so it never becomes a ready endpoint of the workload's Services; only a Service with publishNotReadyAddresses: true would still list its address).

When a NetworkPolicy selects the probe for egress or isolates a target's namespace, the probe first waits --settle (auto: 2s): NetworkPolicy enforcers such as kube-router program rules for a new pod asynchronously, and packets sent earlier would escape the policies.

If kdiag is interrupted (Ctrl-C, SIGTERM) it deletes the probe before exiting; if it is killed outright, the probe Job's deadline and ttlSecondsAfterFinished make the cluster delete it within --timeout + 60s.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    { description: 'HTTP health check of a Service', command: '<%= config.bin %> connectivity api-service --path /health -n production' },
    {
      description: 'Several targets from one pod (TCP for databases)',
      command: '<%= config.bin %> connectivity postgres:5432 redis-headless:6379 api-service -n production',
    },
    {
      description: 'As the api-server workload would connect (its NetworkPolicies apply)',
      command: '<%= config.bin %> connectivity postgres -n production --from-namespace production --from-labels app=api-server',
    },
  ];

  static override strict = false;

  static override args = {
    target: Args.string({ description: 'Service (svc, svc.ns, svc:port), pod/NAME[:port], host:port or http(s):// URL; several allowed.', required: true }),
  };

  static override flags = {
    port: Flags.string({ description: 'Port to connect to (default: the Service port; with several, the HTTP one).', helpGroup: 'PROBE' }),
    path: Flags.string({ description: 'HTTP path to request (implies HTTP).', helpGroup: 'PROBE' }),
    tcp: Flags.boolean({ description: 'Only test that a TCP connection opens, for every target.', default: false, exclusive: ['http'], helpGroup: 'PROBE' }),
    http: Flags.boolean({ description: 'Use HTTP for every target, whatever the port.', default: false, helpGroup: 'PROBE' }),
    image: Flags.string({
      description: 'Image with curl and sh (for mirrors in air-gapped clusters).',
      default: DEFAULT_CURL_IMAGE,
      aliases: ['curl-image'],
      helpGroup: 'PROBE',
    }),
    hairpin: Flags.boolean({
      description:
        'With --from NAMESPACE/POD where POD is a ready endpoint of a target Service: also test from inside POD (an ephemeral container in it, which stays in its spec until the pod is replaced) that it reaches itself through the Service.',
      default: false,
      helpGroup: 'PROBE',
    }),
    'max-endpoints': Flags.integer({
      description:
        'For a Service target, also try at most this many ready endpoints directly (pod IP and target port) and the ClusterIP by address; 0: only the ClusterIP.',
      default: 10,
      min: 0,
      max: 50,
      helpGroup: 'PROBE',
    }),
    ...probeFlags,
  };

  public async run(): Promise<void> {
    const settings = probeSettings(this.flags);
    if (this.flags.hairpin && !settings.fromPod) {
      const { UsageError } = await import('../errors.js');
      throw new UsageError('--hairpin needs --from NAMESPACE/POD (the pod that reaches itself through the Service)');
    }
    const [plan, { port: validPort, urlPath, imageReference }] = await Promise.all([import('../probes/plan.js'), import('../validate.js')]);
    const image = imageReference(this.flags.image);
    const rawTargets = this.argv;
    const port = this.flags.port === undefined ? undefined : validPort(this.flags.port, '--port');
    const path = this.flags.path === undefined ? undefined : urlPath(this.flags.path);
    // Validate every target before reading the kubeconfig: bad input never reaches the cluster.
    const words = this.targets(rawTargets);
    for (const t of words) plan.parseTarget(t, this.flags.namespace ?? 'default', settings.clusterDomain);
    if (words.length > 20) {
      const { UsageError } = await import('../errors.js');
      throw new UsageError('at most 20 targets per run');
    }
    const client = await this.client();
    const namespace = this.flags.namespace ?? client.defaultNamespace;
    const parsed = words.map((t) => plan.parseTarget(t, namespace, settings.clusterDomain));

    const [{ loadSnapshot }, cli, { finishMarker, newRunId }, { CURL_SCRIPT }, differential] = await Promise.all([
      import('../cluster/load.js'),
      import('../engine/probe-cli.js'),
      import('../probes/pod-spec.js'),
      import('../probes/scripts.js'),
      import('../engine/differential.js'),
    ]);
    const runId = newRunId();
    const source = await cli.resolveSource(client, settings, namespace, 'connectivity', runId);
    const pod = {
      kind: 'connectivity' as const,
      runId,
      namespace: source.namespace,
      image,
      script: CURL_SCRIPT,
      deadlineSeconds: cli.podDeadlineSeconds(settings.timeoutMs),
      imagePullSecret: settings.imagePullSecret,
      nodeSelector: settings.nodeSelector,
      workloadLabels: source.labels,
      keep: settings.keep,
      command: `kdiag connectivity ${words.join(' ')}`,
    };
    // Admission answers while the cluster is read (the script's arguments come from what is read).
    const admitted = cli.admitProbe(client, { ...pod, args: [] });
    const namespaces = [...new Set([namespace, source.namespace, ...parsed.map((t) => t.namespace).filter((n): n is string => Boolean(n))])];
    const loaded = await Promise.all([
      ...namespaces.map(async (ns) => {
        try {
          return await loadSnapshot(client, ['services', 'endpointslices', 'pods', 'networkpolicies'], { namespace: ns, tolerateForbidden: true });
        } catch (err) {
          if (isNamespaceNotFound(err, ns) && ns !== source.namespace) return undefined;
          throw err;
        }
      }),
      loadSnapshot(client, ['namespaces'], { tolerateForbidden: true }),
    ]);
    const snapshot = cli.mergeSnapshots(loaded.filter((s): s is NonNullable<typeof s> => s !== undefined));
    const targets = plan.planConnectivity(parsed, snapshot, {
      port,
      path,
      ...(this.flags.tcp ? { mode: 'tcp' as const } : this.flags.http ? { mode: 'http' as const } : {}),
    });

    const probed = targets.filter((t) => !t.unresolved);
    const nonce = cli.randomNonce();
    const diff = differential.planProbeArgs(targets, snapshot, { maxEndpoints: this.flags['max-endpoints'] });
    let run: ProbeRun | undefined;
    let hairpin: Awaited<ReturnType<Connectivity['runHairpin']>> | undefined;
    if (probed.length) {
      const settle = cli.settleSecondsFor(settings, snapshot, { namespace: source.namespace, labels: source.effectiveLabels }, namespaces);
      const spec = { ...pod, args: [nonce, '5', String(settle), ...diff.args], finish: finishMarker(nonce, settle) };
      const hairpinPlans =
        this.flags.hairpin && settings.fromPod ? (await import('../dataplane/hairpin.js')).planHairpin(targets, snapshot, settings.fromPod) : [];
      const hairpinRun = hairpinPlans.length ? this.runHairpin(client, settings.fromPod!, hairpinPlans, image, settings.timeoutMs) : undefined;
      try {
        run = await cli.executeProbe(client, spec, settings, {
          interactive: cli.canDrawProgress(this.output) && !this.flags['no-color'],
          admitted,
          deferCleanup: true,
        });
      } finally {
        hairpin = await hairpinRun;
      }
    }
    // The probe is deleted while its result is explained; the report comes once it is gone.
    const { analysis, report } = await cli.whileDeleting(run, async () => {
      const probeSource = { namespace: source.namespace, labels: source.effectiveLabels };
      const analysis = await differential.analyzeCurlProbe(client, {
        log: run?.log,
        nonce,
        targets,
        extras: diff.extras,
        snapshot,
        source: probeSource,
        ...(run?.node ? { probeNode: run.node } : {}),
        noResult: async (log) => {
          const [{ ProbeError, noResultFailure }, { sanitize }] = await Promise.all([import('../probes/state.js'), import('../report/render.js')]);
          return new ProbeError(noResultFailure(image, 'curl', sanitize(log)));
        },
        // Every endpoint silent although kdiag predicts allow: the same probes again from an unrestricted source (KD5046).
        ...(run
          ? {
              retry: differential.unrestrictedRetryFor(client, { snapshot, settings, image, source, command: `kdiag connectivity ${words.join(' ')}` }),
            }
          : {}),
      });
      const report = {
        apiVersion: 'kdiag/v1' as const,
        kind: 'ConnectivityReport',
        context: client.contextName,
        namespace,
        probe: run ? cli.probeRecord(run, image, source) : null,
        targets: analysis.rows,
        direct: analysis.direct,
        ...(analysis.unrestricted ? { unrestricted: analysis.unrestricted } : {}),
        ...(hairpin ? { hairpin: hairpin.summary } : {}),
        ...(analysis.skipped?.length ? { skipped: analysis.skipped } : {}),
        findings: [...analysis.findings, ...(hairpin?.findings ?? [])],
      };
      return { analysis, report };
    });
    await this.emit(report, (wide) => this.human(analysis.rows, run, image, source.description, wide, analysis.direct, hairpin?.summary ?? []));
  }

  /** Positional targets (oclif's non-strict argv also carries flags and their values). */
  private targets(argv: string[]): string[] {
    const out: string[] = [];
    const withValue = new Set(
      Object.entries({ ...Connectivity.flags, ...Connectivity.baseFlags })
        .filter(([, f]) => (f as { type?: string }).type === 'option')
        .flatMap(([n, f]) => [
          `--${n}`,
          ...((f as { char?: string }).char ? [`-${(f as { char?: string }).char}`] : []),
          ...((f as { aliases?: string[] }).aliases ?? []).map((a) => `--${a}`),
        ]),
    );
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--') {
        out.push(...argv.slice(i + 1));
        break;
      }
      if (a.startsWith('-')) {
        if (!a.includes('=') && withValue.has(a)) i++;
        continue;
      }
      out.push(a);
    }
    return out;
  }

  /** The hairpin test in an ephemeral container of the --from pod; a failure to run it is reported, not fatal. */
  private async runHairpin(
    client: Awaited<ReturnType<Connectivity['client']>>,
    pod: { namespace: string; name: string },
    plans: import('../dataplane/hairpin.js').HairpinPlan[],
    image: string,
    timeoutMs: number,
  ) {
    const [{ runEphemeral }, { HAIRPIN_SCRIPT }, hp, { randomNonce }, { newRunId }] = await Promise.all([
      import('../cluster/probe-runner.js'),
      import('../probes/scripts.js'),
      import('../dataplane/hairpin.js'),
      import('../engine/probe-cli.js'),
      import('../probes/pod-spec.js'),
    ]);
    const nonce = randomNonce();
    try {
      const run = await runEphemeral(
        client,
        { namespace: pod.namespace, pod: pod.name },
        {
          name: `kdiag-hairpin-${newRunId()}`,
          image,
          script: HAIRPIN_SCRIPT,
          args: [nonce, '3', ...plans.flatMap((p) => p.urls)],
          marker: `KDIAG${nonce} done `,
          timeoutMs: Math.min(timeoutMs, 60_000),
        },
      );
      const results = hp.interpretHairpin(run.log, nonce, plans);
      return { summary: results.map((r) => `hairpin (${r.verdict}): ${hp.hairpinSummary(r)}`), findings: hp.hairpinFindings(results) };
    } catch (err) {
      return { summary: [`hairpin: not tested: ${(err as Error).message.split('\n')[0]}`], findings: [] };
    }
  }

  private human(
    rows: ConnectivityRow[],
    run: ProbeRun | undefined,
    image: string,
    source: string,
    wide: boolean,
    direct: DirectRow[],
    hairpin: string[],
  ): string {
    const lines: string[] = [];
    if (run) {
      lines.push(`Probe: pod ${run.podName} ${source}${run.node ? ` on node ${run.node}` : ''} (${image}), ${(run.elapsedMs / 1000).toFixed(1)}s`);
      if (run.exitCode !== undefined && run.exitCode !== 0)
        lines.push(`       the probe container ended with exit code ${run.exitCode}${run.terminationReason ? ` (${run.terminationReason})` : ''}`);
      lines.push('');
    }
    const t = (n?: number) => (n === undefined ? '' : n >= 1000 ? `${(n / 1000).toFixed(2)}s` : n < 1 ? `${n.toFixed(1)}ms` : `${Math.round(n)}ms`);
    const head = ['TARGET', 'MODE', 'STATUS', 'DNS', 'CONNECT', 'TLS', 'FIRST BYTE', 'TOTAL', 'DETAIL'];
    if (wide) head.push('URL', 'REMOTE');
    const body = rows.map((r) => {
      const ok = r.outcome === 'ok' || r.outcome === 'connected';
      const detail = ok ? (r.answeredBy ? `answered by ${r.answeredBy}` : '') : (r.error ?? '');
      const connected = r.timings && (r.timings.connectMs > 0 || ok);
      const row = [
        r.target,
        r.outcome === 'not-run' ? '' : r.mode.toUpperCase(),
        ok ? this.style.ok(r.status) : this.style.severity(r.outcome === 'client-error' ? 'warning' : 'error', r.status),
        r.timings ? t(r.timings.dnsMs) : '',
        r.timings && connected ? t(r.timings.connectMs) : '',
        r.timings?.tlsMs ? t(r.timings.tlsMs) : '',
        r.timings?.firstByteMs ? t(r.timings.firstByteMs) : '',
        r.timings ? t(r.timings.totalMs) : '',
        detail,
      ];
      if (wide) row.push(r.url, r.remoteIp ?? '');
      return row;
    });
    lines.push(this.table(head, body));
    if (direct.length) {
      lines.push('', "Tried directly from the same pod (the Service's ClusterIP by address, each ready endpoint by pod IP and target port):");
      lines.push(
        this.table(
          ['TARGET', 'VIA', 'ADDRESS', 'POD', 'NODE', 'STATUS', 'TOTAL'],
          direct.map((d) => {
            const ok = d.outcome === 'ok' || d.outcome === 'connected';
            return [
              d.target,
              d.via === 'cluster-ip' ? 'ClusterIP' : 'endpoint',
              `${d.address}:${d.port}`,
              d.pod ?? '',
              d.node ?? '',
              ok ? this.style.ok(d.status) : this.style.severity(d.outcome === 'client-error' ? 'warning' : 'error', d.status),
              t(d.totalMs),
            ];
          }),
        ),
      );
    }
    if (hairpin.length) lines.push('', ...hairpin.map((h) => `From inside the --from pod, ${h}`));
    if (rows.some((r) => r.mode === 'tcp' && r.outcome !== 'not-run')) lines.push('TCP targets: a connect test only (nothing is sent).');
    if (run?.kept) lines.push('', keepNote(run));
    return lines.join('\n');
  }
}
