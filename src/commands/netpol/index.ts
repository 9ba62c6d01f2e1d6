import { EXIT_CODES_TEXT, KdiagCommand, WATCH_FLAG } from '../../base-command.js';
import type { NetpolAnalysis } from '../../checks/netpol.js';
import type { SkippedPart } from '../../checks/permissions.js';
import type { ClusterClient } from '../../cluster/client.js';
import type { Finding } from '../../report/types.js';
import type { PolicyRow } from '../../netpol/inventory.js';
import type { Snapshot } from '../../snapshot.js';

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
    const [{ loadSnapshot }, { analyzeNetpol }] = await Promise.all([import('../../cluster/load.js'), import('../../checks/netpol.js')]);
    // Policies, Services and Ingresses in scope; pods, namespaces and DaemonSets everywhere
    // (peers, the cluster DNS, the ingress controller and the network plugin live anywhere).
    const [scoped, wide] = await Promise.all([
      loadSnapshot(client, ['networkpolicies', 'services', 'ingresses'], { namespace }),
      loadSnapshot(client, ['namespaces', 'pods', 'daemonsets'], { tolerateForbidden: true }),
    ]);
    const refused = [...(wide.forbidden ?? [])];
    const clusterWide = !wide.unavailable.pods;
    if (!clusterWide) {
      if (namespace === undefined) throw new (await import('../../errors.js')).KdiagError(wide.unavailable.pods!);
      // Only this namespace's pods are readable: peers in other namespaces are not judged.
      wide.pods = (await loadSnapshot(client, ['pods'], { namespace })).pods;
      delete wide.unavailable.pods;
    }
    const snapshot: Snapshot = {
      ...scoped,
      namespaces: wide.namespaces,
      pods: wide.pods,
      daemonsets: wide.daemonsets,
      loaded: [...new Set([...scoped.loaded, ...wide.loaded, 'pods' as const])],
      unavailable: { ...scoped.unavailable, ...wide.unavailable },
    };
    await (await import('../../cluster/policies.js')).addClusterPolicies(client, snapshot);
    const analysis = analyzeNetpol(snapshot, { namespace, clusterWide });
    analysis.findings.push(...(await this.skipped(refused, namespace)));
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

  /** One line per cluster-wide list the API refused, naming the parts of the analysis it removed. */
  private async skipped(refused: readonly string[], namespace: string | undefined): Promise<Finding[]> {
    const [{ netpolCheck }, { inputPermission, skippedPartFindings }] = await Promise.all([
      import('../../checks/netpol.js'),
      import('../../checks/permissions.js'),
    ]);
    const parts: SkippedPart[] = [];
    if (refused.includes('namespaces'))
      parts.push({ permission: inputPermission('namespaces', namespace), check: 'netpol', part: netpolCheck.skippedWithout!.namespaces! });
    if (refused.includes('pods')) {
      parts.push({
        permission: inputPermission('pods', undefined),
        check: 'netpol',
        part: "pods of other namespaces: peers there (KD4005, egress KD4007, KD4012), the Ingress controller's reach to the Ingress backends (KD4009) and the network plugin (KD4010, KD4011)",
      });
    } else if (refused.includes('daemonsets')) {
      parts.push({
        permission: inputPermission('daemonsets', undefined),
        check: 'netpol',
        part: 'the network plugin and whether it enforces NetworkPolicy (KD4010, KD4011)',
      });
    }
    return skippedPartFindings(parts);
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
