import { Args, Flags } from '@oclif/core';
import { EXIT_CODES_TEXT, KdiagCommand } from '../base-command.js';
import type { Hop, HopStatus, TraceResult } from '../trace/trace.js';

export default class Trace extends KdiagCommand<typeof Trace> {
  static override summary = "Follows one request through the guide's traffic flow and says where it stops.";
  static override description = `For https://HOST/PATH: the Ingress that serves the host (exact, then wildcard hosts) and the rule an Ingress controller would pick (Exact before Prefix, longest prefix, per-element prefixes: /api/v1 matches /api/v1/users but not /api/v10), the load balancer address, the IngressClass and whether its controller runs, the TLS certificate for the host, the backend Service and port, its ready endpoints (or why there are none), whether the NetworkPolicies selecting those Pods admit the controller's Pods on the target port, and what the Pods may reach by egress (cluster DNS, the other Services of the namespace). http://SERVICE.NAMESPACE[:PORT]/PATH starts at the Service. A host no Ingress rule names is looked up among Gateway API listeners (port, protocol, most specific hostname) and HTTPRoutes (the specification's precedence: hostname, Exact over PathPrefix, longest prefix, method, headers, query parameters, oldest route), then each backendRef with its weight down to the Pods, and the NetworkPolicies that must admit the Gateway's data-plane Pods.

Prints the chain with ✓/✗ per hop and explains the first broken hop. -n and -A do not apply: the URL decides the namespaces.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    { description: 'Why does this URL fail?', command: '<%= config.bin %> trace https://api.example.com/api/v1/users' },
    { description: 'Start at a Service', command: '<%= config.bin %> trace http://api-service.production/health' },
    { description: 'The chain as data', command: '<%= config.bin %> trace https://api.example.com/api/v2 -o json' },
  ];

  static override args = {
    url: Args.string({ description: 'The URL to follow (http:// or https://).', required: true }),
  };

  static override flags = {
    probe: Flags.boolean({
      description:
        "Also send requests from short-lived pods: the URL's real request to the controller's Service (its host and SNI name; reports the status, the certificate presented and the Pod that answered, and compares them with where kdiag predicts the request stops), and one with the controller's namespace and labels to the backend Service.",
      default: false,
    }),
    class: Flags.string({
      description: 'With --probe: the IngressClass whose controller receives a request no Ingress or Gateway serves (default: the default IngressClass).',
    }),
    'curl-image': Flags.string({ description: 'With --probe: image with curl and sh.', default: 'curlimages/curl:8.11.1' }),
    'cert-warn-days': Flags.integer({ description: 'Warn when the certificate expires within this many days (default 14).', min: 0 }),
    method: Flags.string({ char: 'X', description: 'HTTP method of the request (for HTTPRoute method matches).', default: 'GET' }),
    header: Flags.string({ char: 'H', description: 'A request header "Name: value" (for HTTPRoute header matches); repeatable.', multiple: true }),
  };

  public async run(): Promise<void> {
    const { parseTraceUrl } = await import('../trace/url.js');
    const request = parseTraceUrl(this.args.url);
    const [{ probeSettings }, { imageReference }] = await Promise.all([import('../engine/probe-cli.js'), import('../validate.js')]);
    const settings = this.flags.probe ? probeSettings({ timeout: '60s', keep: false, 'cluster-domain': 'cluster.local', settle: '2s' }) : undefined;
    const curlImage = this.flags.probe ? imageReference(this.flags['curl-image'], '--curl-image') : undefined;
    const client = await this.client();
    const [{ loadSnapshot }, { loadClusterDns }, trace, { loadControllerPods }] = await Promise.all([
      import('../cluster/load.js'),
      import('../cluster/cluster-dns.js'),
      import('../trace/trace.js'),
      import('../cluster/controllers.js'),
    ]);
    const options = await this.checkOptions({ certWarnDays: this.flags['cert-warn-days'] });
    const { isNamespaceNotFound } = await import('../errors.js');

    // Cluster-wide and small: where the request enters and which policies exist. A user who may
    // read only some namespaces gets what those hold, and the report says what was not searched.
    const snapshot = await loadSnapshot(client, ['ingresses', 'ingressclasses', 'namespaces', 'networkpolicies'], { tolerateForbidden: true });
    await (await import('../cluster/policies.js')).addClusterPolicies(client, snapshot);
    const notChecked: string[] = [];
    const policiesReadIn = snapshot.unavailable.networkpolicies ? new Set<string>() : undefined;
    let result: TraceResult;
    const backendKinds = ['services', 'endpointslices', 'pods'] as const;
    const merge = async (namespace: string, withSecrets: boolean) => {
      const kinds = [...backendKinds, ...(withSecrets ? ['tlssecrets' as const] : []), ...(policiesReadIn ? ['networkpolicies' as const] : [])];
      const part = await loadSnapshot(client, kinds, { namespace, tolerateForbidden: true });
      for (const k of [...backendKinds, 'tlssecrets'] as const) (snapshot[k] as unknown[]) = part[k];
      if (policiesReadIn && !part.unavailable.networkpolicies) {
        snapshot.networkpolicies = [...snapshot.networkpolicies.filter((p) => p.metadata?.namespace !== namespace), ...part.networkpolicies];
        policiesReadIn.add(namespace);
      }
      Object.assign(snapshot.unavailable, part.unavailable);
      return part;
    };
    let dnsUnavailable = false;
    const dnsPods = async () =>
      (
        await loadClusterDns(client).catch(() => {
          dnsUnavailable = true;
          return { pods: [] };
        })
      ).pods;
    const inputsFor = async () => {
      const dns = await dnsPods();
      if (dnsUnavailable)
        notChecked.push('cluster DNS: egress to it was not checked (list pods, services and endpointslices in namespace kube-system is not allowed)');
      return { dnsPods: dns, certWarnDays: options.certWarnDays ?? 14, ...(policiesReadIn ? { policiesReadIn: [...policiesReadIn] } : {}) };
    };

    // A Service URL needs nothing outside the Service's namespace.
    let serviceMode = false;
    if (request.service) {
      const part = await merge(request.service.namespace, false).catch((err: unknown) => {
        if (isNamespaceNotFound(err, request.service!.namespace)) return undefined; // no such namespace: a host name
        throw err;
      });
      serviceMode = Boolean(part && !part.unavailable.services && snapshot.services.some((s) => s.metadata?.name === request.service!.name));
    }
    if (serviceMode) {
      result = trace.traceService(snapshot, request, { controllerPods: [], ...(await inputsFor()) });
    } else {
      let searchedNamespaces: string[] | undefined;
      if (snapshot.unavailable.ingresses) {
        // Ingresses may not be listed across namespaces: search the namespace of the context (or -n).
        searchedNamespaces = [];
        const ns = this.flags.namespace ?? client.defaultNamespace;
        const part = await loadSnapshot(client, ['ingresses'], { namespace: ns, tolerateForbidden: true }).catch(() => undefined);
        if (part && !part.unavailable.ingresses) {
          snapshot.ingresses.push(...part.ingresses);
          searchedNamespaces.push(ns);
        }
        notChecked.push(
          `Ingresses of ${searchedNamespaces.length ? `namespaces other than ${searchedNamespaces.join(', ')}` : 'every namespace'} were not searched (list ingresses.networking.k8s.io at cluster scope is not allowed)`,
        );
      }
      const route = trace.selectRoute(snapshot.ingresses, request);
      // No Ingress rule names the host: a Gateway listener and HTTPRoute may serve it.
      const gatewayRequest = {
        ...request,
        method: this.flags.method.toUpperCase(),
        headers: Object.fromEntries((this.flags.header ?? []).map((h) => [h.split(':')[0]!.trim(), h.split(':').slice(1).join(':').trim()])),
      };
      const viaGateway =
        !route || route.via === 'default-backend' || route.hostMatch === 'any'
          ? await (await import('../cluster/gateway.js')).loadGatewayTrace(client, snapshot, gatewayRequest)
          : undefined;
      const { traceGateway, traceUnserved } = await import('../gateway/trace.js');
      // No Ingress rule names the host and Gateways exist: say why no listener or route takes it, in Gateway API terms.
      const { hostMatches } = await import('../checks/ingress-match.js');
      const ingressNamesHost = snapshot.ingresses.some((i) => (i.spec?.rules ?? []).some((r) => hostMatches(r.host, request.host)));
      const unserved =
        !route && !ingressNamesHost && viaGateway && !viaGateway.choice
          ? traceUnserved(gatewayRequest, viaGateway.objects, (await import('../cluster/gateway.js')).namespaceLabelsOf(snapshot), snapshot.ingresses.length)
          : undefined;
      if (viaGateway?.choice) {
        result = traceGateway(snapshot, gatewayRequest, viaGateway.choice, viaGateway.objects, {
          dataPlanePods: viaGateway.dataPlanePods,
          dnsPods: await dnsPods(),
          certWarnDays: options.certWarnDays ?? 14,
        });
      } else if (unserved) {
        result = unserved;
      } else {
        if (route) await merge(route.ingress.metadata?.namespace ?? 'default', request.scheme === 'https');
        const { controllerPods = [], controllerPodsUnavailable = undefined } = route || !searchedNamespaces ? await loadControllerPods(client, snapshot) : {};
        if (controllerPodsUnavailable)
          notChecked.push('Ingress controller: whether its Pods run and what their policies allow was not checked (list pods at cluster scope is not allowed)');
        if (route && snapshot.unavailable.ingressclasses)
          notChecked.push(
            'IngressClass: the class and its controller were not checked (list ingressclasses.networking.k8s.io at cluster scope is not allowed)',
          );
        result = trace.traceIngress(snapshot, request, route, {
          controllerPods,
          controllerPodsUnavailable,
          ...(searchedNamespaces ? { searchedNamespaces } : {}),
          ...(await inputsFor()),
        });
      }
    }
    if (policiesReadIn) {
      notChecked.push(
        `NetworkPolicies of namespaces other than ${[...policiesReadIn].sort().join(', ') || '(none)'} were not read (list networkpolicies.networking.k8s.io at cluster scope is not allowed): a side there is reported as undecided`,
      );
    }
    if (notChecked.length) result.notChecked = notChecked;

    if (settings && result.probe) {
      const { probeHop } = await import('../engine/trace-probe.js');
      const hop = await probeHop(client, snapshot, result.probe, settings, curlImage);
      result.hops.push(hop);
      if (hop.status === 'fail' && !result.stopsAt) result.stopsAt = hop.id;
    }
    if (settings && result.mode !== 'service') {
      const { liveRequestHop } = await import('../engine/trace-probe.js');
      const live = await liveRequestHop(
        client,
        { result, request, ingressClasses: snapshot.ingressclasses, className: this.flags.class, now: new Date() },
        settings,
        curlImage,
      );
      result.hops.push(live.hop);
      result.findings.push(...live.findings);
    }
    const report = {
      apiVersion: 'kdiag/v1' as const,
      kind: 'TraceReport',
      context: client.contextName,
      url: result.url,
      mode: result.mode,
      stopsAt: result.stopsAt ?? null,
      findings: result.findings,
      hops: result.hops,
      notChecked: result.notChecked ?? [],
    };
    await this.emit(report, () => this.tree(result), { findings: false });
  }

  private symbol(status: HopStatus): string {
    switch (status) {
      case 'ok':
        return this.style.ok('✓');
      case 'fail':
        return this.style.severity('error', '✗');
      case 'warn':
        return this.style.severity('warning', '!');
      case 'info':
        return this.style.severity('info', 'i');
      default:
        return '-';
    }
  }

  private tree(result: TraceResult): string {
    const width = Math.max(...result.hops.map((h) => h.title.length));
    const lines = [result.url];
    let stopped = false;
    for (const h of result.hops) {
      lines.push(`  ${this.symbol(h.status)} ${h.title.padEnd(width)}  ${h.detail}`);
      for (const item of h.items ?? []) lines.push(`      ${this.symbol(item.status)} ${item.text}`);
      if (h.status === 'fail' && !stopped) {
        stopped = true;
        lines.push(`      ${this.style.severity('error', '↳ traffic stops here')}: ${h.explanation ?? h.detail}`);
      }
    }
    const stop = result.hops.find((h: Hop) => h.status === 'fail');
    const reached = result.hops.some((h) => h.id === 'endpoints');
    lines.push(
      '',
      stop
        ? `The request stops at: ${stop.title}.`
        : reached
          ? 'Every hop is fine: the request reaches a ready Pod.'
          : 'kdiag could not follow the request to a Pod with what it may read.',
    );
    if (result.notChecked?.length) lines.push('', 'Not checked:', ...result.notChecked.map((n) => `  - ${n}`));
    return lines.join('\n');
  }
}
