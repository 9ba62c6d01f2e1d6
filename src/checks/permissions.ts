// What kdiag needs to be allowed to do for a set of checks, and findings for what it lacks.
import { fix, kubectl, manifest } from '../report/fix.js';
import type { Finding } from '../report/types.js';
import { KIND_RESOURCES, type Kind } from '../snapshot.js';
import { finding } from './lib/finding.js';

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
  return finding('KD6001', { kind: 'Permission', name: `${p.verb} ${resource}${p.group ? `.${p.group}` : ''}` }, {
    message: `${p.verb} ${resource}${p.group ? `.${p.group}` : ''}: not allowed ${where}; skipped: ${p.neededBy.join(', ')}`,
    cause: `A SelfSubjectAccessReview says the current user may not ${p.verb} ${resource}${p.group ? ` (group ${p.group})` : ''} ${where}, so kdiag skipped ${p.neededBy.join(', ')}.`,
    fix: fix`Add this rule to the ${p.neededBy.includes('probes') ? 'kdiag-probes' : resource === 'secrets' ? 'kdiag-tls' : 'kdiag-read'} ClusterRole bound to you (deploy/rbac.yaml):\n${manifest({ rules: [{ apiGroups: [p.group], resources: [resource], verbs: [p.verb] }] })}\nthen check: ${kubectl('auth', 'can-i', p.verb, p.group ? `${resource}.${p.group}` : resource, ...(p.namespace ? ['-n', p.namespace] : ['-A']))}`,
  });
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
