// What the Ingress rules read beyond the snapshot's lists, loaded the same way for
// `kdiag check` and `kdiag ingress`: controller Pods (by label, cluster-wide), Secrets named
// by tls[] that are not in the typed list of TLS Secrets (read one by one, to tell "missing"
// from "wrong type"), and cert-manager's issuers and Certificates when an Ingress asks for them.
import type { V1Ingress, V1Secret } from '@kubernetes/client-node';
import { CERT_MANAGER_ANNOTATIONS } from '../checks/ingress-rules-tls.js';
import type { CertManagerObjects, IngressInputs } from '../checks/ingress-types.js';
import type { Snapshot } from '../snapshot.js';
import type { ClusterClient } from './client.js';
import { loadControllerPods } from './controllers.js';
import { listCustomObjects, type CustomList } from './custom.js';
import { isForbidden, isNotFound } from '../errors.js';

type SecretsByName = Pick<IngressInputs, 'secrets' | 'secretsLookedUp' | 'secretErrors'>;

/** tls[].secretName Secrets absent from the list of kubernetes.io/tls Secrets, read by name. */
export async function loadSecretsByName(client: ClusterClient, snapshot: Snapshot, ingresses: readonly V1Ingress[]): Promise<SecretsByName> {
  if (snapshot.unavailable.tlssecrets || !snapshot.loaded.includes('tlssecrets')) return {};
  const have = new Set(snapshot.tlssecrets.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`));
  const wanted = new Map<string, { namespace: string; name: string }>();
  for (const ing of ingresses) {
    const namespace = ing.metadata?.namespace ?? '';
    for (const t of ing.spec?.tls ?? []) if (t.secretName) wanted.set(`${namespace}/${t.secretName}`, { namespace, name: t.secretName });
  }
  const secrets: V1Secret[] = [];
  const secretErrors: Record<string, string> = {};
  const read = async (k: string, { namespace, name }: { namespace: string; name: string }) => {
    try {
      secrets.push(await client.call({ verb: 'get', resource: 'secrets', namespace, name }, (o) => client.core.readNamespacedSecret({ name, namespace }, o)));
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isForbidden(err)) throw err;
      secretErrors[k] = err.message;
    }
  };
  await Promise.all([...wanted].filter(([k]) => !have.has(k)).map(([k, ref]) => read(k, ref)));
  return { secrets, secretsLookedUp: true, secretErrors };
}

/** cert-manager's issuers and Certificates, only when one of the Ingresses asks for cert-manager. */
export async function loadCertManager(
  client: ClusterClient,
  ingresses: readonly V1Ingress[],
  namespace: string | undefined,
): Promise<CertManagerObjects | undefined> {
  const annotations = ingresses.map((i) => i.metadata?.annotations ?? {});
  const annotated = annotations.filter((a) => CERT_MANAGER_ANNOTATIONS.some((k) => a[k]));
  if (annotated.length === 0) return undefined;
  const group = 'cert-manager.io';
  const version = 'v1';
  const wantCluster = annotated.some((a) => a['cert-manager.io/cluster-issuer'] || a['cert-manager.io/issuer-kind'] === 'ClusterIssuer');
  const wantIssuers = annotated.some((a) => a['cert-manager.io/issuer']);
  const none: CustomList = { status: 'ok', items: [] };
  const lists = await Promise.all([
    wantCluster ? listCustomObjects(client, { group, version, plural: 'clusterissuers', namespaced: false }) : none,
    wantIssuers ? listCustomObjects(client, { group, version, plural: 'issuers', namespaced: true }, namespace) : none,
    listCustomObjects(client, { group, version, plural: 'certificates', namespaced: true }, namespace),
  ]);
  const [clusterIssuers, issuers, certificates] = lists.map((l) => (l.status === 'ok' ? l.items : []));
  const failed = lists.find((l) => l.status === 'absent') ?? lists.find((l) => l.status === 'forbidden');
  return {
    unavailable: failed?.status === 'absent' || failed?.status === 'forbidden' ? { reason: failed.status, message: failed.message } : undefined,
    clusterIssuers: clusterIssuers ?? [],
    issuers: issuers ?? [],
    certificates: certificates ?? [],
  };
}

/** Everything the Ingress rules read beyond the snapshot, for the given Ingresses (default: all of the snapshot's). */
export async function loadIngressInputs(
  client: ClusterClient,
  snapshot: Snapshot,
  ingresses: readonly V1Ingress[] = snapshot.ingresses,
): Promise<IngressInputs> {
  const [controllers, secrets, certManager] = await Promise.all([
    loadControllerPods(client, snapshot),
    loadSecretsByName(client, snapshot, ingresses),
    loadCertManager(client, ingresses, snapshot.namespace),
  ]);
  return { ...controllers, ...secrets, certManager };
}
