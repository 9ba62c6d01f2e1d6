import { Args } from '@oclif/core';
import { EXIT_CODES_TEXT, KdiagCommand, WATCH_FLAG } from '../base-command.js';
import type { ServiceEndpoints } from '../checks/endpoints.js';
import { dnsLabel } from '../validate.js';

export default class Endpoints extends KdiagCommand<typeof Endpoints> {
  static override summary = 'Services with no ready endpoints, and why (selector, readiness, ports).';
  static override description = `For every Service, counts the ready endpoints in its EndpointSlices (an endpoint counts only when it is ready and carries a port of the Service) and, when there are none, names the cause: a selector that matches no Pod (with the nearest labels), Pods that are not Ready (CrashLoopBackOff, failing readiness probe, Pending…), only completed or terminating Pods, a named targetPort the Pods do not declare, or a Service without selector or endpoints. A single ready endpoint is a warning.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    { description: 'Services without ready endpoints in production', command: '<%= config.bin %> endpoints -n production' },
    { description: 'Why one Service has no endpoints (pods, ports, conditions)', command: '<%= config.bin %> endpoints api-service -n production' },
    { description: 'All namespaces, as JSON for a script', command: '<%= config.bin %> endpoints -A -o json' },
  ];

  static override flags = { ...WATCH_FLAG };

  static override args = {
    service: Args.string({ description: 'Only this Service (shows its pods, ports and endpoints).', required: false }),
  };

  public async run(): Promise<void> {
    const service = this.args.service === undefined ? undefined : dnsLabel(this.args.service, 'Service name');
    const client = await this.client();
    const namespace = await this.namespaceScope();
    const [{ loadSnapshot }, { analyzeEndpoints }] = await Promise.all([import('../cluster/load.js'), import('../checks/endpoints.js')]);
    const kinds = ['services', 'endpointslices', 'pods'] as const;
    // The snapshot is dropped once analysed: the report is written without it in memory (a third of
    // the peak at 40,000 Pods).
    const analyse = async () => {
      const snapshot = await loadSnapshot(client, kinds, { namespace });
      return { services: analyzeEndpoints(snapshot, service), names: snapshot.services.map((s) => s.metadata?.name ?? '') };
    };
    await this.runStatic(kinds, namespace, async () => {
      const { services, names } = await analyse();
      if (service && services.length === 0) {
        const { KdiagError } = await import('../errors.js');
        const { didYouMean } = await import('../suggest.js');
        const near = didYouMean(service, names);
        throw new KdiagError(`Service ${service} not found in ${namespace ? `namespace ${namespace}` : 'any namespace'}${near}`);
      }
      const report = {
        apiVersion: 'kdiag/v1' as const,
        kind: 'EndpointsReport',
        context: client.contextName,
        namespace: namespace ?? null,
        findings: services.flatMap((s) => s.findings),
        services: services.map(({ findings: _f, ...rest }) => rest),
      };
      await this.emit(report, (wide) => (service ? this.detail(services[0]!) : this.summaryTable(services, wide, namespace)));
    });
  }

  private summaryTable(services: ServiceEndpoints[], wide: boolean, namespace: string | undefined): string {
    if (services.length === 0) return `No Services found in ${namespace ? `namespace ${namespace}` : 'any namespace'}.`;
    const head = ['NAMESPACE', 'SERVICE', 'TYPE', 'READY', 'NOT READY', 'STATUS', 'CAUSE'];
    if (wide) head.push('SELECTOR', 'PORTS');
    const rows = services.map((s) => {
      const status =
        s.status === 'NO ENDPOINTS'
          ? this.style.severity('error', s.status)
          : s.status === 'SINGLE'
            ? this.style.severity('warning', s.status)
            : s.status === 'OK'
              ? this.style.ok(s.status)
              : s.status;
      const row = [s.namespace, s.name, s.type, String(s.ready), String(s.notReady), status, s.cause ?? ''];
      if (wide) row.push(s.selector, s.ports.map((p) => `${p.port}→${p.targetPort}/${p.protocol}`).join(','));
      return row;
    });
    return this.table(head, rows);
  }

  private detail(s: ServiceEndpoints): string {
    const lines = [
      `Service:    ${s.namespace}/${s.name}`,
      `Type:       ${s.type}${s.clusterIP ? ` (${s.clusterIP})` : ''}`,
      `Selector:   ${s.selector}`,
      `Status:     ${s.status}${s.cause ? `: ${s.cause}` : ''}`,
      `Endpoints:  ${s.ready} ready, ${s.notReady} not ready`,
      '',
      'PORTS',
      this.table(
        ['NAME', 'PORT', 'TARGET', 'PROTOCOL', 'READY ENDPOINTS'],
        s.ports.map((p) => [p.name || '<unnamed>', String(p.port), p.targetPort, p.protocol, String(p.readyEndpoints)]),
      ),
    ];
    if (s.endpoints.length) {
      lines.push(
        '',
        'ENDPOINTS',
        this.table(
          ['ADDRESS', 'POD', 'NODE', 'READY', 'PORTS'],
          s.endpoints.map((e) => [
            e.address,
            e.pod ?? '',
            e.node ?? '',
            e.ready ? 'true' : 'false',
            e.ports.length ? e.ports.map((p) => p || '<unnamed>').join(',') : '<none>',
          ]),
        ),
      );
    }
    if (s.pods.length) {
      lines.push(
        '',
        'SELECTED PODS',
        this.table(
          ['POD', 'PHASE', 'READY', 'RESTARTS', 'NODE', 'REASON'],
          s.pods.map((p) => [p.name, p.phase, p.ready ? 'true' : 'false', String(p.restarts), p.node ?? '', p.ready ? '' : p.detail]),
        ),
      );
    }
    return lines.join('\n');
  }
}
