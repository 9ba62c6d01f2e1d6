import { Flags } from '@oclif/core';
import { EXIT_CODES_TEXT, KdiagCommand } from '../../base-command.js';
import type { ExplainResult } from '../../netpol/endpoints.js';
import type { ConnectionVerdict, Decision, SideVerdict } from '../../netpol/explain.js';
import type { Kind, Snapshot } from '../../snapshot.js';

export default class NetpolExplain extends KdiagCommand<typeof NetpolExplain> {
  static override summary = 'Why SOURCE can or cannot reach DEST on a port, by the NetworkPolicies selecting each side.';
  static override description = `Evaluates the Kubernetes NetworkPolicy semantics for a connection: the source pod's egress and the destination pod's ingress must both allow it. A direction is isolated only when a policy selecting the pod lists it in policyTypes; then some rule must match the peer (namespaceSelector AND podSelector within one peer, any of the peers; {} selects everything; ipBlock with except) and the port (named ports resolved on the destination pod, endPort ranges, protocol TCP by default). Prints the verdict and, per side, the policies selecting the pod and the rule that allows the connection, or why none does.

SOURCE and DEST:
  NAMESPACE/POD                 a pod
  NAMESPACE/svc/SERVICE         the pods the Service selects (for DEST, a Service port is translated to its targetPort)
  NAMESPACE:label=value,...     a pod that would carry these labels
  IP                            a pod or Service address, else an address outside the cluster

The verdict is data: the exit code is 0 whether the connection is allowed or denied (see "allowed" in -o json).

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    {
      description: 'May the ingress controller reach the API pods on 8080?',
      command: '<%= config.bin %> netpol explain --from ingress-nginx:app.kubernetes.io/name=ingress-nginx --to production/svc/api-service --port 80',
    },
    {
      description: 'A pod with given labels, towards a pod, UDP',
      command: '<%= config.bin %> netpol explain --from production:app=api-server --to kube-system:k8s-app=kube-dns --port 53/UDP',
    },
    {
      description: 'The verdict as JSON',
      command: '<%= config.bin %> netpol explain --from payment-service:app=payment-api --to auth-service/svc/auth-service --port 80 -o json',
    },
  ];

  static override flags = {
    from: Flags.string({ description: 'Source: NAMESPACE/POD, NAMESPACE/svc/SERVICE, NAMESPACE:label=value,... or an IP.', required: true }),
    to: Flags.string({ description: 'Destination: NAMESPACE/POD, NAMESPACE/svc/SERVICE, NAMESPACE:label=value,... or an IP.', required: true }),
    port: Flags.string({ description: 'PORT[/PROTOCOL]: a number or a named port of the destination; TCP (default), UDP or SCTP.', required: true }),
  };

  public async run(): Promise<void> {
    const { explainSpecs, parseEndpointSpec, parsePortSpec } = await import('../../netpol/endpoints.js');
    // Validate everything before the first request.
    parsePortSpec(this.flags.port);
    const specs = [parseEndpointSpec(this.flags.from, '--from'), parseEndpointSpec(this.flags.to, '--to')];
    const client = await this.client();
    const [{ loadSnapshot }, { KdiagError }] = await Promise.all([import('../../cluster/load.js'), import('../../errors.js')]);
    const kinds: Kind[] = ['networkpolicies', 'pods', 'services'];
    // Only the two sides' namespaces matter, unless an IP must be looked up among all pods.
    const namespaces = specs.some((s) => s.form === 'ip') ? undefined : [...new Set(specs.map((s) => (s.form === 'ip' ? '' : s.namespace)))];
    // A namespace kdiag may not read (another team's) leaves its side undecided, never guessed.
    const [cluster, ...parts] = await Promise.all([
      loadSnapshot(client, ['namespaces'], { tolerateForbidden: true }),
      ...(namespaces ? namespaces.map((namespace) => loadSnapshot(client, kinds, { namespace, tolerateForbidden: true })) : [loadSnapshot(client, kinds)]),
    ]);
    const unreadable: string[] = [];
    for (const part of parts) {
      if (!part.unavailable.networkpolicies && !part.unavailable.pods && !part.unavailable.services) continue;
      unreadable.push(part.namespace!);
      const spec = specs.find((s) => s.form !== 'ip' && s.namespace === part.namespace && s.form !== 'labels');
      if (spec) {
        const flag = spec === specs[0] ? '--from' : '--to';
        throw new KdiagError(
          `${flag}: kdiag cannot read pods or Services in namespace ${part.namespace} (${Object.values(part.unavailable)[0]}); name that side by its labels instead (${part.namespace}:label=value,...): its policies are then reported as unknown, not guessed`,
        );
      }
    }
    const snapshot: Snapshot = {
      ...cluster!,
      networkpolicies: parts.flatMap((p) => p.networkpolicies),
      pods: parts.flatMap((p) => p.pods),
      services: parts.flatMap((p) => p.services),
      loaded: [...cluster!.loaded, ...kinds],
    };
    await (await import('../../cluster/policies.js')).addClusterPolicies(client, snapshot);
    const result = explainSpecs(snapshot, this.flags.from, this.flags.to, this.flags.port, { unreadableNamespaces: unreadable });
    const report = { apiVersion: 'kdiag/v1' as const, kind: 'NetpolExplainReport', context: client.contextName, findings: [], ...result };
    await this.emit(report, () => this.render(result), { findings: false });
  }

  private verdictWord(d: Decision): string {
    return d === 'allowed' ? this.style.ok('ALLOWED') : d === 'denied' ? this.style.severity('error', 'DENIED') : this.style.severity('warning', 'UNKNOWN');
  }

  private side(s: SideVerdict): string[] {
    const title = `  ${s.direction} of ${s.subject}: ${this.verdictWord(s.allowed ? 'allowed' : s.unknown ? 'unknown' : 'denied')}`;
    if (s.unknown) return [title, `    ${s.reason}`, `    needs: ${s.unknown}`];
    if (!s.enforced || !s.isolated || s.tier === 'admin' || s.tier === 'baseline') return [title, `    ${s.reason}`];
    const lines = [
      title,
      `    selected by: ${s.policies.map((p) => `${p.namespace}/${p.name}${p.appliesToDirection ? '' : ` (not ${s.direction})`}`).join(', ')}`,
    ];
    if (s.allowed && s.decidedBy) {
      lines.push(`    allowed by ${s.decidedBy.policy} ${s.direction} rule ${s.decidedBy.rule}: ${s.decidedBy.text}`);
      return lines;
    }
    lines.push(`    ${s.reason}`);
    for (const p of s.policies.filter((x) => x.appliesToDirection)) {
      if (p.rules.length === 0) lines.push(`    - ${p.name}: no ${s.direction} rules`);
      for (const r of p.rules) {
        const why = [r.peer.match ? '' : `peer: ${r.peer.reason}`, r.port.match ? '' : `port: ${r.port.reason}`].filter(Boolean).join('; ');
        lines.push(`    - ${p.name} rule ${r.index} (${r.text}): ${why}`);
      }
    }
    return lines;
  }

  private connection(c: ConnectionVerdict): string {
    const name = (e: ConnectionVerdict['source']) => (e.kind === 'ip' ? e.ip! : `${e.namespace}/${e.name}`);
    return [
      `${this.verdictWord(c.verdict)}  ${name(c.source)} → ${name(c.destination)}  ${c.protocol}/${c.port}`,
      ...this.side(c.egress),
      ...this.side(c.ingress),
    ].join('\n');
  }

  private render(r: ExplainResult): string {
    const n = r.connections.length;
    const allowed = r.connections.filter((c) => c.allowed).length;
    const word =
      r.verdict === 'allowed'
        ? this.style.ok('ALLOWED')
        : r.verdict === 'denied'
          ? this.style.severity('error', 'DENIED')
          : r.verdict === 'unknown'
            ? this.style.severity('warning', 'UNKNOWN')
            : this.style.severity('warning', 'PARTIALLY ALLOWED');
    const head = `Verdict: ${word}${n > 1 ? ` (${allowed} of ${n} connections allowed)` : ''}`;
    const parts = [
      head,
      ...(r.verdict === 'unknown' ? [`It depends on objects kdiag cannot read; to decide, kdiag needs ${(r.needs ?? []).join(' and ')}.`] : []),
      ...r.connections.map((c) => this.connection(c)),
    ];
    if (r.notes.length) parts.push(['Notes:', ...r.notes.map((x) => `  - ${x}`)].join('\n'));
    return parts.join('\n\n');
  }
}
