import { Args, Flags } from '@oclif/core';
import { EXIT_CODES_TEXT, KdiagCommand, WATCH_FLAG } from '../base-command.js';
import type { BackendResult, GatewayResult, RouteResult } from '../gateway/analyze.js';
import type { Route } from '../gateway/types.js';
import { sanitize } from '../report/render.js';
import { dnsSubdomain } from '../validate.js';

/** Every string stripped of control characters (cluster data is untrusted); styling comes after. */
function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'string' ? sanitize(v) : v)) as T;
}

export default class Gateway extends KdiagCommand<typeof Gateway> {
  static override summary = 'Do the Gateway API Gateways accept traffic, and do their routes lead to something alive?';
  static override description = `For the Gateway API (gateway.networking.k8s.io): each Gateway's GatewayClass exists and is Accepted by its controller; the Gateway is Accepted and Programmed (reasons and messages) and has an address; each listener's conditions (ResolvedRefs, Conflicted); TLS listeners' certificateRefs resolve (same namespace, or a ReferenceGrant) to certificates that are valid, not expiring within --cert-warn-days, cover the listener hostname and match their key. Each HTTPRoute and GRPCRoute: Accepted and ResolvedRefs per parent (NotAllowedByListeners, NoMatchingListenerHostname, BackendNotFound, RefNotPermitted, …), parentRefs to missing Gateways or listeners, listeners whose allowedRoutes refuse it, hostnames that meet no listener hostname, and every backendRef: the Service exists, has the port and has ready endpoints (with the endpoints check's cause), a ReferenceGrant permits a cross-namespace reference, and the weights of a rule do not sum to zero. Ingresses on the retired ingress-nginx controller are pointed at the migration. With a NAME, prints the Gateway as a tree: listener → route → backends.

When the Gateway API is not installed, says so and exits 0.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    { description: 'Every Gateway and route in production', command: '<%= config.bin %> gateway -n production' },
    { description: 'One Gateway as a tree', command: '<%= config.bin %> gateway public -n infra' },
    { description: 'All namespaces, as JSON', command: '<%= config.bin %> gateway -A -o json' },
    { description: 'Keep watching: redraw when a Gateway, route or backend changes', command: '<%= config.bin %> gateway -n production --watch' },
  ];

  static override args = {
    name: Args.string({ description: 'Only this Gateway (prints its tree).', required: false }),
  };

  static override flags = {
    ...WATCH_FLAG,
    'cert-warn-days': Flags.integer({ description: 'Warn when a listener certificate expires within this many days (default 14).', min: 0 }),
  };

  public async run(): Promise<void> {
    const name = this.args.name === undefined ? undefined : dnsSubdomain(this.args.name, 'Gateway name');
    const namespace = await this.namespaceScope();
    const { GATEWAY_RESOURCES } = await import('../cluster/gateway.js');
    await this.runStatic([...GATEWAY_RESOURCES, 'services', 'endpointslices', 'pods', 'namespaces', 'ingresses'], namespace, () =>
      this.report(name, namespace),
    );
  }

  private async report(name: string | undefined, namespace: string | undefined): Promise<void> {
    const client = await this.client();
    const [
      { loadSnapshot },
      { addDiscovery, loadGatewayInputs, loadGatewayObjects, loadReferencedData },
      { analyzeGateways, scopedGatewayFindings },
      { KdiagError },
    ] = await Promise.all([import('../cluster/load.js'), import('../cluster/gateway.js'), import('../gateway/analyze.js'), import('../errors.js')]);
    const options = await this.checkOptions({ certWarnDays: this.flags['cert-warn-days'] });
    const kinds = ['services', 'endpointslices', 'pods', 'tlssecrets', 'namespaces', 'ingresses', 'ingressclasses'] as const;
    const snapshot = await loadSnapshot(client, [...kinds], { namespace, tolerateForbidden: true });
    for (const [kind, reason] of Object.entries(snapshot.unavailable)) {
      if (['services', 'pods'].includes(kind) || (kind === 'endpointslices' && !snapshot.loaded.includes('endpoints'))) throw new KdiagError(reason);
    }
    // One Gateway: its routes may live in any namespace (cluster-wide list when allowed).
    const all = name !== undefined && namespace !== undefined ? await loadGatewayObjects(client) : undefined;
    const attaches = (r: Route) => (r.spec?.parentRefs ?? []).some((p) => p.name === name && (p.namespace ?? r.metadata?.namespace) === namespace);
    let objects;
    if (all && !all.unavailable && namespace !== undefined) {
      objects = { ...all, httpRoutes: all.httpRoutes.filter(attaches), grpcRoutes: all.grpcRoutes.filter(attaches) };
      await addDiscovery(client, objects);
      await loadReferencedData(client, objects, namespace);
    } else {
      // The loader of kdiag check too: the same objects, the same rules, the same findings.
      objects = await loadGatewayInputs(client, snapshot);
    }
    const analysis = analyzeGateways(snapshot, objects, options);
    const [{ gatewayCheck }, { skippedParts, skippedPartFindings }] = await Promise.all([import('../gateway/check.js'), import('../checks/permissions.js')]);
    // Cluster-scoped inputs the API refused (GatewayClasses, Namespaces, IngressClasses): one line each.
    const partial = objects.unavailable ? [] : skippedPartFindings(skippedParts([gatewayCheck], { ...snapshot, gateway: objects }));
    if (name && !analysis.gateways.some((g) => g.name === name && (namespace === undefined || g.namespace === namespace))) {
      if (objects.unavailable?.reason === 'absent') {
        this.log(`The Gateway API is not installed: ${objects.unavailable.message}.`);
        return;
      }
      const near = (await import('../suggest.js')).didYouMean(
        name,
        analysis.gateways.filter((g) => namespace === undefined || g.namespace === namespace).map((g) => g.name),
      );
      throw new KdiagError(`Gateway ${name} not found in ${namespace ? `namespace ${namespace}` : 'any namespace'}${near}`);
    }
    // With -n: the namespace's Gateways and those its routes attach to (as kdiag check); with a NAME: that Gateway and its routes.
    const scoped = scopedGatewayFindings(analysis, namespace);
    const shown =
      name === undefined ? scoped.gateways : analysis.gateways.filter((g) => g.name === name && (namespace === undefined || g.namespace === namespace));
    const shownKeys = new Set(shown.map((g) => `${g.namespace}/${g.name}`));
    const routes = name === undefined ? scoped.routes : analysis.routes.filter((r) => r.parents.some((p) => shownKeys.has(p.gateway)));
    const classes = new Set(shown.map((g) => g.class));
    const global = analysis.global.filter(
      (f) =>
        name === undefined ||
        (f.object.kind === 'GatewayClass' && classes.has(f.object.name)) ||
        (f.object.kind === 'Gateway' && shownKeys.has(`${f.object.namespace}/${f.object.name}`)),
    );
    const report = {
      apiVersion: 'kdiag/v1' as const,
      kind: 'GatewayReport',
      context: client.contextName,
      namespace: namespace ?? null,
      installed: objects.unavailable?.reason !== 'absent',
      ...(objects.unavailable ? { unavailable: objects.unavailable.message } : {}),
      ...(Object.keys(objects.missing).length ? { missing: objects.missing } : {}),
      certWarnDays: options.certWarnDays ?? 14,
      findings: [...global, ...shown.flatMap((g) => g.findings), ...routes.flatMap((r) => r.findings), ...partial],
      gatewayClasses: analysis.classes,
      gateways: shown.map(({ findings: _f, ...g }) => g),
      routes: routes.map(({ findings: _f, ...r }) => r),
    };
    await this.emit(report, (wide) => {
      if (objects.unavailable?.reason === 'absent') return `The Gateway API is not installed: ${objects.unavailable.message}.`;
      return name ? shown.map((g) => this.tree(g, routes)).join('\n\n') : this.summary(shown, routes, wide, namespace);
    });
  }

  private statusText(status: GatewayResult['status'], findings: GatewayResult['findings']): string {
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    if (status === 'ERROR') return this.style.severity('error', `ERROR (${errors})`);
    if (status === 'WARNING') return this.style.severity('warning', `WARNING (${warnings})`);
    return this.style.ok('OK');
  }

  private summary(gateways: GatewayResult[], routes: RouteResult[], wide: boolean, namespace: string | undefined): string {
    const where = namespace ? `namespace ${namespace}` : 'any namespace';
    const parts: string[] = [];
    if (gateways.length === 0) parts.push(`No Gateways found in ${where}.`);
    else {
      const head = ['NAMESPACE', 'GATEWAY', 'CLASS', 'ADDRESS', 'LISTENERS', 'PROGRAMMED', 'STATUS'];
      if (wide) head.push('CONTROLLER', 'PROBLEM');
      parts.push(
        this.table(
          head,
          clean(gateways).map((g) => {
            const row = [
              g.namespace,
              g.name,
              g.class,
              g.addresses.join(',') || '<pending>',
              g.listeners.map((l) => `${l.name}:${l.protocol}/${l.port}`).join(','),
              g.programmed,
              this.statusText(g.status, g.findings),
            ];
            if (wide) row.push(g.controller ?? '', worst(g.findings, g.name));
            return row;
          }),
        ),
      );
    }
    if (routes.length === 0) parts.push(`No HTTPRoutes or GRPCRoutes found in ${where}.`);
    else {
      const head = ['NAMESPACE', 'ROUTE', 'KIND', 'HOSTNAMES', 'PARENTS', 'ACCEPTED', 'BACKENDS', 'STATUS'];
      if (wide) head.push('PROBLEM');
      parts.push(
        this.table(
          head,
          clean(routes).map((r) => {
            const row = [
              r.namespace,
              r.name,
              r.kind,
              r.hostnames.join(',') || '*',
              r.parents
                .map(
                  (p) =>
                    (p.gateway.startsWith(`${r.namespace}/`) ? p.gateway.slice(r.namespace.length + 1) : p.gateway) +
                    (p.sectionName ? `/${p.sectionName}` : ''),
                )
                .join(',') || '<none>',
              r.parents.map((p) => p.accepted.split(' ')[0]).join(',') || '-',
              `${r.backends.ready}/${r.backends.total}`,
              this.statusText(r.status, r.findings),
            ];
            if (wide) row.push(worst(r.findings, r.name));
            return row;
          }),
        ),
      );
    }
    return parts.join('\n\n');
  }

  private backendText(b: BackendResult): string {
    const weight = `weight ${b.weight}`;
    if (b.status === 'OK') return `${b.backend} (${weight}) → ${this.style.ok(`${b.ready}/${b.total} endpoints ready`)}`;
    if (b.status === 'EXTERNAL' || b.status === 'NOT CHECKED') return `${b.backend} (${weight}) → ${b.cause ?? b.status}`;
    return `${b.backend} (${weight}) → ${this.style.severity('error', b.cause ?? b.status)}`;
  }

  /** Gateway → listener (TLS) → route → rule backends. */
  private tree(raw: GatewayResult, rawRoutes: RouteResult[]): string {
    const g = clean(raw);
    const routes = clean(rawRoutes);
    const lines = [
      `Gateway:     ${g.namespace}/${g.name}`,
      `Class:       ${g.class}${g.controller ? ` (controller ${g.controller})` : ''}`,
      `Accepted:    ${g.accepted}`,
      `Programmed:  ${g.programmed}`,
      `Address:     ${g.addresses.join(', ') || '<pending>'}`,
      `Status:      ${this.statusText(g.status, g.findings)}`,
    ];
    for (const l of g.listeners) {
      const tls = l.tls
        ? `  [TLS ${l.tls.secrets.map((s) => `${s.secret}: ${s.status === 'ok' ? s.summary : this.style.severity(s.status === 'expiring' ? 'warning' : 'error', s.summary)}`).join('; ') || 'no certificateRefs'}]`
        : '';
      lines.push(
        '',
        `listener ${l.name} (${l.protocol} ${l.port}, ${l.hostname === '*' ? 'any host' : l.hostname})${tls}${l.attachedRoutes !== undefined ? `  attachedRoutes ${l.attachedRoutes}` : ''}`,
      );
      const attached = routes.filter((r) => l.routes.includes(`${r.namespace}/${r.name}`));
      if (attached.length === 0) lines.push('└── (no routes attached)');
      attached.forEach((r, i) => {
        const last = i === attached.length - 1;
        const parent = r.parents.find((p) => p.gateway === `${g.namespace}/${g.name}`);
        lines.push(`${last ? '└── ' : '├── '}${r.kind} ${r.namespace}/${r.name} ${r.hostnames.join(',') || '*'}  Accepted ${parent?.accepted ?? '?'}`);
        const backends = r.rules.flatMap((rule, n) => rule.backends.map((b) => `${rule.name ?? `rule ${n + 1}`}: ${this.backendText(b)}`));
        backends.forEach((b, j) => lines.push(`${last ? '    ' : '│   '}${j === backends.length - 1 ? '└── ' : '├── '}${b}`));
      });
    }
    const unattached = routes.filter((r) => r.parents.some((p) => p.gateway === `${g.namespace}/${g.name}` && p.listeners.length === 0));
    if (unattached.length) {
      lines.push('', 'not attached');
      unattached.forEach((r, i) =>
        lines.push(
          `${i === unattached.length - 1 ? '└── ' : '├── '}${r.kind} ${r.namespace}/${r.name} ${r.hostnames.join(',') || '*'}: ${worst(r.findings, r.name) || 'see findings'}`,
        ),
      );
    }
    return lines.join('\n');
  }
}

function worst(findings: readonly { severity: string; message: string }[], name: string): string {
  const f = findings.find((x) => x.severity === 'error') ?? findings.find((x) => x.severity === 'warning');
  return f ? f.message.slice(name.length + 2) : '';
}
