import { EXIT_CODES_TEXT, KdiagCommand, WATCH_FLAG } from '../base-command.js';

export default class Services extends KdiagCommand<typeof Services> {
  static override summary = "Checks Service types against the guide's decision guide.";
  static override description = `No external access → ClusterIP; several HTTP(S) services → one Ingress + ClusterIP Services; a single TCP/UDP service → LoadBalancer; local dev or testing → NodePort. Reports NodePort Services outside dev/test namespaces, LoadBalancer Services without an address, several HTTP LoadBalancers in one namespace, externalTrafficPolicy trade-offs, and named targetPorts the selected Pods do not declare.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    { description: 'Service types in production', command: '<%= config.bin %> services -n production' },
    { description: 'Only errors and warnings fail a CI step', command: '<%= config.bin %> services -A --fail-on warning' },
  ];

  static override flags = { ...WATCH_FLAG };

  public async run(): Promise<void> {
    const client = await this.client();
    const namespace = await this.namespaceScope();
    const [{ loadSnapshot }, { serviceTypesCheck, externalAddress, formatPorts }, { skippedParts, skippedPartFindings }] = await Promise.all([
      import('../cluster/load.js'),
      import('../checks/service-types.js'),
      import('../checks/permissions.js'),
    ]);
    await this.runStatic(serviceTypesCheck.requires, namespace, async () => {
      const optional = serviceTypesCheck.optional ?? [];
      const snapshot = await loadSnapshot(client, [...serviceTypesCheck.requires, ...optional], { namespace, optional });
      const findings = [...serviceTypesCheck.run(snapshot, await this.checkOptions()), ...skippedPartFindings(skippedParts([serviceTypesCheck], snapshot))];
      const services = snapshot.services
        .map((svc) => {
          const ns = svc.metadata?.namespace ?? '';
          const name = svc.metadata?.name ?? '';
          return {
            namespace: ns,
            name,
            type: svc.spec?.type ?? 'ClusterIP',
            clusterIP: svc.spec?.clusterIP ?? null,
            external:
              externalAddress(svc) ??
              (svc.spec?.type === 'LoadBalancer' ? '<pending>' : svc.spec?.type === 'ExternalName' ? (svc.spec.externalName ?? null) : null),
            ports: formatPorts(svc),
            externalTrafficPolicy: svc.spec?.externalTrafficPolicy ?? null,
            findings: findings.filter((f) => f.object.kind === 'Service' && f.object.namespace === ns && f.object.name === name).map((f) => f.code),
          };
        })
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
      const report = { apiVersion: 'kdiag/v1' as const, kind: 'ServicesReport', context: client.contextName, namespace: namespace ?? null, findings, services };
      await this.emit(report, (wide) => {
        if (services.length === 0) return `No Services found in ${namespace ? `namespace ${namespace}` : 'any namespace'}.`;
        const head = ['NAMESPACE', 'SERVICE', 'TYPE', 'CLUSTER-IP', 'EXTERNAL', 'PORTS', 'FINDINGS'];
        if (wide) head.push('TRAFFIC-POLICY');
        return this.table(
          head,
          services.map((s) => {
            const row = [s.namespace, s.name, s.type, s.clusterIP ?? '<none>', s.external ?? '<none>', s.ports || '<none>', s.findings.join(',') || '-'];
            if (wide) row.push(s.externalTrafficPolicy ?? '-');
            return row;
          }),
          ['TRAFFIC-POLICY', 'TYPE', 'EXTERNAL', 'FINDINGS'],
        );
      });
    });
  }
}
