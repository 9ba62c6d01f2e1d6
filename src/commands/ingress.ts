import { Args, Flags } from '@oclif/core';
import { EXIT_CODES_TEXT, KdiagCommand, WATCH_FLAG } from '../base-command.js';
import type { BackendNode, IngressInputs, IngressResult } from '../checks/ingress.js';
import { sanitize } from '../report/render.js';
import { dnsSubdomain } from '../validate.js';

/** The result with every string stripped of control characters (cluster data is untrusted); styling comes after. */
function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'string' ? sanitize(v) : v)) as T;
}

export default class Ingress extends KdiagCommand<typeof Ingress> {
  static override summary = 'Does each Ingress route to something alive, over a valid certificate?';
  static override description = `For every Ingress: its IngressClass exists and its controller runs; it has an address; every host and path leads to a Service that exists, has the port and has ready endpoints (with the endpoints cause, e.g. "selector app=api-v2 matches no pod"); path types are used as meant; no other Ingress of the class serves the same host and path; every TLS Secret exists, holds a certificate that is valid, not expiring within --cert-warn-days, covers the hosts (RFC 6125 wildcards) and matches its key; cert-manager's issuer and Certificate are Ready; ingress-nginx annotations have values of the right type and known names. With a NAME, prints the routing tree: host → path → Service:port → endpoints → cause, with TLS per host. Key material is never printed.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    { description: 'Every Ingress in production', command: '<%= config.bin %> ingress -n production' },
    { description: "The guide's Ingress as a routing tree", command: '<%= config.bin %> ingress api-ingress -n production' },
    {
      description: 'Warn about certificates expiring within 30 days, fail on warnings',
      command: '<%= config.bin %> ingress -A --cert-warn-days 30 --fail-on warning',
    },
    { description: 'As JSON, tree included', command: '<%= config.bin %> ingress api-ingress -n production -o json' },
  ];

  static override args = {
    name: Args.string({ description: 'Only this Ingress (prints its routing tree).', required: false }),
  };

  static override flags = {
    'cert-warn-days': Flags.integer({ description: 'Warn when a certificate expires within this many days (default 14, or thresholds.certWarnDays).', min: 0 }),
    ...WATCH_FLAG,
  };

  public async run(): Promise<void> {
    const name = this.args.name === undefined ? undefined : dnsSubdomain(this.args.name, 'Ingress name');
    const client = await this.client();
    const namespace = await this.namespaceScope();
    const [{ loadSnapshot }, { analyzeIngresses }, { loadIngressInputs }, { KdiagError }] = await Promise.all([
      import('../cluster/load.js'),
      import('../checks/ingress.js'),
      import('../cluster/ingress.js'),
      import('../errors.js'),
    ]);
    const options = await this.checkOptions({ certWarnDays: this.flags['cert-warn-days'] });
    options.certWarnDays ??= 14;
    const kinds = ['ingresses', 'ingressclasses', 'services', 'endpointslices', 'pods', 'tlssecrets'] as const;
    await this.runStatic(kinds, namespace, async () => {
      const snapshot = await loadSnapshot(client, [...kinds], { namespace, tolerateForbidden: true });
      // Only Secrets and (cluster-scoped) IngressClasses may be missing: the report says what was skipped.
      for (const [kind, reason] of Object.entries(snapshot.unavailable)) {
        if (kind !== 'tlssecrets' && kind !== 'ingressclasses' && !(kind === 'endpointslices' && snapshot.loaded.includes('endpoints')))
          throw new KdiagError(reason);
      }
      const shown = snapshot.ingresses.filter((i) => name === undefined || i.metadata?.name === name);
      if (name && shown.length === 0) {
        const near = (await import('../suggest.js')).didYouMean(
          name,
          snapshot.ingresses.map((i) => i.metadata?.name ?? ''),
        );
        throw new KdiagError(`Ingress ${name} not found in ${namespace ? `namespace ${namespace}` : 'any namespace'}${near}`);
      }
      // The loader of kdiag check too: the same inputs, the same rules, the same findings.
      const inputs: IngressInputs = { ...(await loadIngressInputs(client, snapshot, shown)), focus: shown };
      const analysis = analyzeIngresses(snapshot, options, inputs);
      const { ingressCheck } = await import('../checks/ingress.js');
      const { skippedParts, skippedPartFindings } = await import('../checks/permissions.js');
      const partial = skippedPartFindings(skippedParts([ingressCheck], { ...snapshot, ingress: inputs }));
      const results = analysis.ingresses.filter((r) => name === undefined || r.name === name);
      const keep = new Set(results.map((r) => `${r.namespace}/${r.name}`));
      const global = analysis.global.filter((f) => f.object.kind !== 'Ingress' || keep.has(`${f.object.namespace}/${f.object.name}`));
      const report = {
        apiVersion: 'kdiag/v1' as const,
        kind: 'IngressReport',
        context: client.contextName,
        namespace: namespace ?? null,
        certWarnDays: options.certWarnDays,
        findings: [...global, ...results.flatMap((r) => r.findings), ...partial],
        ingresses: results.map(({ findings: _f, ...rest }) => rest),
      };
      await this.emit(report, (wide) => (name ? results.map((r) => this.tree(r)).join('\n\n') : this.summaryTable(results, wide, namespace)));
    });
  }

  private statusText(r: IngressResult): string {
    const errors = r.findings.filter((f) => f.severity === 'error').length;
    const warnings = r.findings.filter((f) => f.severity === 'warning').length;
    if (r.status === 'ERROR') return this.style.severity('error', `ERROR (${errors})`);
    if (r.status === 'WARNING') return this.style.severity('warning', `WARNING (${warnings})`);
    return this.style.ok('OK');
  }

  private summaryTable(results: IngressResult[], wide: boolean, namespace: string | undefined): string {
    if (results.length === 0) return `No Ingresses found in ${namespace ? `namespace ${namespace}` : 'any namespace'}.`;
    const head = ['NAMESPACE', 'INGRESS', 'CLASS', 'ADDRESS', 'HOSTS', 'TLS', 'BACKENDS', 'STATUS'];
    if (wide) head.push('CONTROLLER', 'PROBLEM');
    const rows = results.map(clean).map((r) => {
      const row = [
        r.namespace,
        r.name,
        r.class ?? '<none>',
        r.address.join(',') || '<pending>',
        r.hosts.join(',') || '*',
        r.tls.summary,
        `${r.backends.ready}/${r.backends.total}`,
        this.statusText(r),
      ];
      if (wide) {
        const worst = r.findings.find((f) => f.severity === 'error') ?? r.findings.find((f) => f.severity === 'warning');
        row.push(r.controllerStatus ?? '', worst ? worst.message.slice(r.name.length + 2) : '');
      }
      return row;
    });
    return this.table(head, rows, ['CONTROLLER', 'PROBLEM', 'TLS', 'CLASS', 'BACKENDS', 'HOSTS']);
  }

  private backendText(b: BackendNode): { line: string; cause?: string } {
    const target =
      b.kind === 'resource' ? `${b.backend} (resource backend, not checked)` : `${b.backend}${b.targetPort ? ` (targetPort ${b.targetPort})` : ''}`;
    switch (b.status) {
      case 'OK':
        return { line: `${target} → ${this.style.ok(`${b.ready}/${b.total} endpoints ready`)}` };
      case 'EXTERNAL':
        return { line: `${target} → ${b.cause ?? 'ExternalName'}` };
      case 'RESOURCE':
        return { line: target };
      case 'NO ENDPOINTS':
        return { line: `${target} → ${this.style.severity('error', `${b.ready}/${b.total} endpoints ready`)}`, cause: b.cause };
      default:
        return { line: `${target} → ${this.style.severity('error', b.cause ?? b.status)}` };
    }
  }

  /** host → path → Service:port → endpoints → cause, with TLS per host. */
  private tree(raw: IngressResult): string {
    const r = clean(raw);
    const lines = [
      `Ingress:     ${r.namespace}/${r.name}`,
      `Class:       ${r.class ?? '<none>'}${r.classSource === 'default' ? ' (default class)' : ''}${r.controller ? ` (controller ${r.controller}${r.controllerStatus ? `, ${r.controllerStatus}` : ''})` : ''}`,
      `Address:     ${r.address.join(', ') || '<pending>'}`,
      `TLS:         ${r.tls.summary === '-' ? 'none' : r.tls.summary}`,
      `Backends:    ${r.backends.ready}/${r.backends.total} with ready endpoints`,
      `Status:      ${this.statusText(r)}`,
    ];
    const branch = (items: string[][], indent: string) => {
      items.forEach((item, i) => {
        const last = i === items.length - 1;
        lines.push(`${indent}${last ? '└── ' : '├── '}${item[0]}`);
        if (item[1]) lines.push(`${indent}${last ? '    ' : '│   '}└── ${item[1]}`);
      });
    };
    for (const h of r.tree.hosts) {
      const tls = h.tls
        ? `  [TLS ${h.tls.secretName}: ${h.tls.status === 'problem' ? this.style.severity('error', h.tls.summary) : h.tls.status === 'expiring' ? this.style.severity('warning', h.tls.summary) : h.tls.summary}]`
        : r.tls.status !== 'none' && h.host !== '*'
          ? '  [no TLS]'
          : '';
      lines.push('', `${h.host === '*' ? '* (any host)' : h.host}${tls}`);
      branch(
        h.paths.map((p) => {
          const b = this.backendText(p.backend);
          return [`${p.path} (${p.pathType}) → ${b.line}`, b.cause ?? ''];
        }),
        '',
      );
    }
    if (r.tree.defaultBackend) {
      const b = this.backendText(r.tree.defaultBackend);
      lines.push('', 'default backend');
      branch([[b.line, b.cause ?? '']], '');
    }
    return lines.join('\n');
  }
}
