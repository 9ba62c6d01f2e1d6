import { EXIT_CODES_TEXT, KdiagCommand } from '../base-command.js';

export default class Dataplane extends KdiagCommand<typeof Dataplane> {
  static override summary = 'Per node: what translates Service addresses, what enforces NetworkPolicies, and the CoreDNS replicas there.';
  static override description = `Reads (never probes) the nodes, the pods and DaemonSets of kube-system, ConfigMap kube-system/kube-proxy and the NetworkPolicies of the namespace (-n) or of all namespaces (-A): for each node, kube-proxy (its pod's phase, readiness and restarts, or that it runs outside the API's view as a host process) or the component that replaces it (Cilium, kube-router's service proxy, Calico eBPF), kube-proxy's mode, the NetworkPolicy enforcer's agent, and the CoreDNS replicas. Findings: kube-proxy missing or not Ready on a node where other nodes have it (KD6020), the enforcer's agent missing or not Ready on a node (KD6021). What RBAC refuses is skipped and said. kdiag check shows the same rows and findings as its dataplane section. To test the data path itself, probe a Service: kdiag connectivity SERVICE.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [{ description: 'The data plane of every node', command: '<%= config.bin %> dataplane' }];

  public async run(): Promise<void> {
    const client = await this.client();
    const [{ loadDataplaneView }, { dataplaneRows }, { isForbidden }] = await Promise.all([
      import('../cluster/dataplane.js'),
      import('../dataplane/view.js'),
      import('../errors.js'),
    ]);
    // The NetworkPolicies of the scope (-n, or -A) decide KD6021 where no enforcer is installed, as in kdiag check.
    const namespace = await this.namespaceScope();
    const [view, policies] = await Promise.all([
      loadDataplaneView(client, { kubeProxyConfig: true }),
      client.list('networkpolicies', namespace).catch((err: unknown) => {
        if (isForbidden(err)) return undefined;
        throw err;
      }),
    ]);
    if (policies === undefined) view.skipped.push('NetworkPolicies: forbidden');
    const { rows, findings } = dataplaneRows(view, policies, namespace);
    const report = {
      apiVersion: 'kdiag/v1' as const,
      kind: 'DataplaneReport',
      context: client.contextName,
      namespace: namespace ?? null,
      nodes: rows,
      skipped: view.skipped,
      findings,
    };
    await this.emit(report, () => {
      const lines: string[] = [];
      if (rows.length === 0) lines.push(view.skipped.some((s) => s.startsWith('nodes')) ? 'Nodes could not be read (forbidden).' : 'No nodes found.');
      else
        lines.push(
          this.table(
            ['NODE', 'READY', 'SERVICE PROXY', 'MODE', 'POLICY ENFORCER', 'COREDNS'],
            rows.map((r) => [r.node, r.ready === null ? '?' : r.ready ? 'yes' : 'NO', r.serviceProxy, r.mode ?? '-', r.enforcer, r.coredns.join(', ') || '-']),
          ),
        );
      if (view.skipped.length) lines.push('', `Skipped (no permission or not found): ${view.skipped.join('; ')}`);
      return lines.join('\n');
    });
  }
}
