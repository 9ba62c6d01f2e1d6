// What kdiag needs to be allowed to do for a set of checks, and findings for what it lacks.
import { fix, kubectl, manifest } from '../report/fix.js';
import type { Finding } from '../report/types.js';
import { KIND_RESOURCES, type Kind, type Snapshot } from '../snapshot.js';
import { finding } from './lib/finding.js';
import type { Check, Input } from './types.js';

export interface Permission {
  verb: string;
  resource: string;
  group: string;
  subresource?: string;
  /** undefined = cluster scope (or all namespaces). */
  namespace?: string;
  /** Checks (or features) that need it. */
  neededBy: string[];
}

export function permissionKey(p: Pick<Permission, 'verb' | 'resource' | 'group' | 'subresource' | 'namespace'>): string {
  return `${p.verb} ${p.resource}${p.subresource ? `/${p.subresource}` : ''}${p.group ? `.${p.group}` : ''} ${p.namespace ?? '*'}`;
}

/** `list` on every kind the checks read, in the namespace or cluster-wide. */
export function permissionsFor(checks: readonly { id: string; requires: readonly Kind[] }[], namespace: string | undefined): Permission[] {
  // Optional kinds are not asked for: a forbidden optional kind is recorded by the snapshot instead.
  const byKey = new Map<string, Permission>();
  for (const check of checks) {
    for (const kind of check.requires) {
      const r = KIND_RESOURCES[kind];
      const p: Permission = { verb: 'list', resource: r.resource, group: r.group, namespace: r.namespaced ? namespace : undefined, neededBy: [] };
      const key = permissionKey(p);
      const existing = byKey.get(key) ?? p;
      if (!existing.neededBy.includes(check.id)) existing.neededBy.push(check.id);
      byKey.set(key, existing);
    }
  }
  return [...byKey.values()];
}

/** Probe pods: create, watch and delete pods and jobs, read pod logs, in the probe namespace. */
export function probePermissions(namespace: string | undefined): Permission[] {
  const neededBy = ['probes'];
  return [
    { verb: 'create', resource: 'pods', group: '', namespace, neededBy },
    { verb: 'delete', resource: 'pods', group: '', namespace, neededBy },
    { verb: 'watch', resource: 'pods', group: '', namespace, neededBy },
    { verb: 'get', resource: 'pods', group: '', subresource: 'log', namespace, neededBy },
    { verb: 'create', resource: 'jobs', group: 'batch', namespace, neededBy },
    { verb: 'delete', resource: 'jobs', group: 'batch', namespace, neededBy },
  ];
}

export function missingPermissionFinding(p: Permission): Finding {
  const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
  const where = p.namespace ? `in namespace ${p.namespace}` : 'cluster-wide';
  return finding(
    'KD6001',
    { kind: 'Permission', name: `${p.verb} ${resource}${p.group ? `.${p.group}` : ''}` },
    {
      message: `${p.verb} ${resource}${p.group ? `.${p.group}` : ''}: not allowed ${where}; skipped: ${p.neededBy.join(', ')}`,
      cause: `A SelfSubjectAccessReview says the current user may not ${p.verb} ${resource}${p.group ? ` (group ${p.group})` : ''} ${where}, so kdiag skipped ${p.neededBy.join(', ')}.`,
      fix: fix`Add this rule to the ${p.neededBy.includes('probes') ? 'kdiag-probes' : resource === 'secrets' ? 'kdiag-tls' : 'kdiag-read'} ClusterRole bound to you (deploy/rbac.yaml):\n${manifest({ rules: [{ apiGroups: [p.group], resources: [resource], verbs: [p.verb] }] })}\nthen check: ${kubectl('auth', 'can-i', p.verb, p.group ? `${resource}.${p.group}` : resource, ...(p.namespace ? ['-n', p.namespace] : ['-A']))}`,
    },
  );
}

/** The cluster DNS check lists CoreDNS Pods, the kube-dns Service and its EndpointSlices in kube-system. */
export function clusterDnsPermissions(): Permission[] {
  const neededBy = ['cluster-dns'];
  return [
    { verb: 'list', resource: 'pods', group: '', namespace: 'kube-system', neededBy },
    { verb: 'list', resource: 'services', group: '', namespace: 'kube-system', neededBy },
    { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace: 'kube-system', neededBy },
  ];
}

/** Merges permission lists, joining `neededBy` for the same request. */
export function mergePermissions(...lists: Permission[][]): Permission[] {
  const byKey = new Map<string, Permission>();
  for (const p of lists.flat()) {
    const key = permissionKey(p);
    const existing = byKey.get(key);
    if (existing) existing.neededBy = [...new Set([...existing.neededBy, ...p.neededBy])];
    else byKey.set(key, { ...p, neededBy: [...p.neededBy] });
  }
  return [...byKey.values()];
}

/** The request that reads an input: `list` in `namespace` for namespaced kinds, else at cluster scope. */
export function inputPermission(input: Input, namespace: string | undefined): Omit<Permission, 'neededBy'> {
  if (input === 'controller-pods' || input === 'cluster-pods') return { verb: 'list', resource: 'pods', group: '' };
  if (input === 'cluster-daemonsets') return { verb: 'list', resource: 'daemonsets', group: 'apps' };
  if (input === 'gatewayclasses') return { verb: 'list', resource: 'gatewayclasses', group: 'gateway.networking.k8s.io' };
  if (input === 'kube-system-pods') return { verb: 'list', resource: 'pods', group: '', namespace: 'kube-system' };
  if (input === 'kube-system-daemonsets') return { verb: 'list', resource: 'daemonsets', group: 'apps', namespace: 'kube-system' };
  const r = KIND_RESOURCES[input];
  return { verb: 'list', resource: r.resource, group: r.group, namespace: r.namespaced ? namespace : undefined };
}

/** A part of a check that did not run because the API refused one request. */
export interface SkippedPart {
  permission: Omit<Permission, 'neededBy'>;
  check: string;
  /** What was not checked, in a few words. */
  part: string;
}

/** The inputs of a snapshot that the API refused (403). */
export function refusedInputs(snapshot: Snapshot): Input[] {
  const inputs: Input[] = [...(snapshot.forbidden ?? [])];
  if (snapshot.ingress?.controllerPodsUnavailable) inputs.push('controller-pods');
  if (snapshot.gateway?.forbidden?.includes('gatewayclasses')) inputs.push('gatewayclasses');
  // Without other namespaces' Pods the network plugin is not judged at all: one line, for the Pods.
  if (snapshot.netpol?.refused.pods) inputs.push('cluster-pods');
  else if (snapshot.netpol?.refused.daemonsets) inputs.push('cluster-daemonsets');
  for (const input of snapshot.dataplane?.refused ?? []) if (!inputs.includes(input)) inputs.push(input);
  return inputs;
}

/** The parts of `checks` that did not run because the snapshot lacks refused inputs. */
export function skippedParts(
  checks: readonly Pick<Check, 'id' | 'skippedWithout'>[],
  snapshot: Snapshot,
  refused: readonly Input[] = refusedInputs(snapshot),
): SkippedPart[] {
  const parts: SkippedPart[] = [];
  for (const check of checks) {
    for (const input of refused) {
      const part = check.skippedWithout?.[input];
      if (part) parts.push({ permission: inputPermission(input, snapshot.namespace), check: check.id, part });
    }
  }
  return parts;
}

function resourceText(p: Omit<Permission, 'neededBy'>): string {
  return `${p.resource}${p.subresource ? `/${p.subresource}` : ''}${p.group ? `.${p.group}` : ''}`;
}

/**
 * One KD6006 per refused request, naming every part it left unchecked and the rule that
 * would enable them: the report says once what was skipped, not once per object.
 */
export function skippedPartFindings(parts: readonly SkippedPart[]): Finding[] {
  const byKey = new Map<string, { permission: SkippedPart['permission']; parts: SkippedPart[] }>();
  for (const part of parts) {
    const key = permissionKey(part.permission);
    const entry = byKey.get(key) ?? { permission: part.permission, parts: [] };
    if (!entry.parts.some((x) => x.check === part.check && x.part === part.part)) entry.parts.push(part);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map(({ permission: p, parts: skipped }) => {
    const resource = resourceText(p);
    const where = p.namespace ? `in namespace ${p.namespace}` : 'at cluster scope';
    const list = skipped.map((x) => `${x.check}: ${x.part}`).join('; ');
    const rule = manifest({ rules: [{ apiGroups: [p.group], resources: [p.subresource ? `${p.resource}/${p.subresource}` : p.resource], verbs: [p.verb] }] });
    const grant = p.namespace
      ? fix`Add this rule to the Role bound to you in ${p.namespace} (deploy/rbac.yaml has such Roles: ${kubectl('-n', p.namespace, 'apply', '-f', 'deploy/rbac.yaml', '-l', 'kdiag.dev/scope=namespace')}):\n${rule}`
      : fix`A Role cannot grant it (${p.resource} ${KIND_SCOPE_WORD[p.resource] ?? 'are read across namespaces here'}): ask a cluster admin for a ClusterRole with this rule bound by a ClusterRoleBinding (deploy/rbac.yaml's kdiag-read has it):\n${rule}`;
    return finding(
      'KD6006',
      { kind: 'Permission', name: `${p.verb} ${resource}${p.namespace ? '' : ' (cluster scope)'}` },
      {
        message: `${p.verb} ${resource} ${where}: not allowed; not checked: ${list}`,
        cause: `The API refused ${p.verb} on ${resource} ${where} (403 Forbidden), so kdiag ran every check on what it could read and left out only what needs ${resource}: ${list}. Findings of the other rules are complete.`,
        fix: grant,
      },
    );
  });
}

const KIND_SCOPE_WORD: Record<string, string> = {
  namespaces: 'are cluster-scoped',
  nodes: 'are cluster-scoped',
  ingressclasses: 'are cluster-scoped',
  gatewayclasses: 'are cluster-scoped',
};
