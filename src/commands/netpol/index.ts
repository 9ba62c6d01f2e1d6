import { EXIT_CODES_TEXT, KdiagCommand, WATCH_FLAG } from '../../base-command.js';
import type { NetpolAnalysis } from '../../checks/netpol.js';
import type { ClusterClient } from '../../cluster/client.js';
import type { PolicyRow } from '../../netpol/inventory.js';

export default class Netpol extends KdiagCommand<typeof Netpol> {
  static override summary = 'NetworkPolicies: what each selects and allows, namespace isolation, and the mistakes in them.';
  static override description = `Lists every NetworkPolicy with the pods it selects now, its policyTypes and its rules in short form (\`ns:ingress-nginx → TCP/8080\`), then per namespace whether ingress and egress are default-deny and how many pods no policy selects. Lint findings: egress policies without DNS (KD4001/KD4002), selectors that select nothing (KD4003-KD4005), rules ignored because policyTypes lacks their direction (KD4006), ports no pod exposes (KD4007), namespaces without any policy (KD4008), Ingress backends the ingress controller cannot reach (KD4009), egress allowed towards pods that deny it (KD4012), and a network plugin that does not enforce policies (KD4010/KD4011).

Pods, Namespaces and DaemonSets are read in all namespaces (peers and the cluster DNS may live anywhere); policies, Services and Ingresses in the chosen namespace.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    { description: 'Policies and lint findings in production', command: '<%= config.bin %> netpol -n production' },
    { description: 'Every namespace, as JSON', command: '<%= config.bin %> netpol -A -o json' },
    {
      description: 'Why can A not reach B?',
      command: '<%= config.bin %> netpol explain --from payment-service:app=payment-api --to auth-service/svc/auth-service --port 80',
    },
  ];

  static override flags = { ...WATCH_FLAG };

  public async run(): Promise<void> {
    const client = await this.client();
    const namespace = await this.namespaceScope();
    await this.runStatic(['networkpolicies', 'pods', 'services', 'ingresses'], namespace, () => this.inspect(client, namespace));
  }

  private async inspect(client: ClusterClient, namespace: string | undefined): Promise<void> {
    const [{ loadSnapshot }, { loadNetpolInputs }, { analyzeNetpol, netpolCheck, netpolScope }, { skippedParts, skippedPartFindings }] = await Promise.all([
      import('../../cluster/load.js'),
      import('../../cluster/netpol.js'),
      import('../../checks/netpol.js'),
      import('../../checks/permissions.js'),
    ]);
    // The loaders and the rules of kdiag check's netpol check: policies, Services and Ingresses
    // in scope; Pods and DaemonSets everywhere (peers, the cluster DNS, the Ingress controller and
    // the network plugin live anywhere), the namespace's own Pods alone when that is refused.
    const optional = netpolCheck.optional ?? [];
    const loaded = await loadSnapshot(client, [...netpolCheck.requires, ...optional], { namespace, optional });
    loaded.netpol = await loadNetpolInputs(client, loaded);
    const { snapshot, options } = netpolScope(loaded);
    const analysis = analyzeNetpol(snapshot, options);
    analysis.findings.push(...skippedPartFindings(skippedParts([netpolCheck], loaded)));
    const report = {
      apiVersion: 'kdiag/v1' as const,
      kind: 'NetpolReport',
      context: client.contextName,
      namespace: namespace ?? null,
      findings: analysis.findings,
      policies: analysis.policies,
      namespaces: analysis.namespaces,
      cni: analysis.cni ?? null,
      dns: analysis.dns,
      ingressControllers: analysis.ingressControllers,
      unavailable: snapshot.unavailable,
    };
    await this.emit(report, () => this.render(analysis, namespace));
  }

  private rulesCell(row: PolicyRow, direction: 'Ingress' | 'Egress'): string {
    const rules = direction === 'Ingress' ? row.ingress : row.egress;
    const applies = row.policyTypes.includes(direction);
    if (!applies) return rules.length ? rules.map((r) => `${r} (ignored)`).join('\n') : '-';
    return rules.length ? rules.join('\n') : 'deny all';
  }

  private render(a: NetpolAnalysis, namespace: string | undefined): string {
    const parts: string[] = [];
    if (a.policies.length === 0) {
      parts.push(`No NetworkPolicies found in ${namespace ? `namespace ${namespace}` : 'any namespace'}.`);
    } else {
      parts.push(
        this.table(
          ['NAMESPACE', 'POLICY', 'POD SELECTOR', 'PODS', 'TYPES', 'INGRESS', 'EGRESS'],
          a.policies.map((p) => [
            p.namespace,
            p.name,
            p.podSelector,
            String(p.pods),
            p.policyTypes.join(','),
            this.rulesCell(p, 'Ingress'),
            this.rulesCell(p, 'Egress'),
          ]),
          ['TYPES', 'PODS', 'POD SELECTOR'],
        ),
      );
    }
    if (a.namespaces.length > 0) {
      parts.push(
        this.table(
          ['NAMESPACE', 'POLICIES', 'PODS', 'INGRESS', 'EGRESS', 'PODS WITHOUT POLICY'],
          a.namespaces.map((n) => [n.namespace, String(n.policies), String(n.pods), n.ingress.status, n.egress.status, String(n.unselectedPods)]),
          ['PODS', 'POLICIES'],
        ),
      );
    }
    if (a.cni) {
      const found = a.cni.plugins.map((p) => `${p.name} (${p.evidence}${p.enforces ? '' : ', does not enforce NetworkPolicy'})`).join(', ');
      parts.push(`Network plugin: ${found || 'none recognised'}${a.cni.enforcing ? ': NetworkPolicies are enforced.' : '.'}`);
    }
    return parts.join('\n\n');
  }
}
