// A one-context kubeconfig for tests that talk to a local API over real sockets (the binary in a
// child process, or kdiag's transport): server, the cluster's TLS fields and the user's
// credentials, written as YAML into a new temporary directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';

export interface KubeconfigSpec {
  server: string;
  /** The cluster's other fields: certificate-authority, insecure-skip-tls-verify, … */
  cluster?: Record<string, unknown>;
  /** The user's fields: token (the default is a fixed test token), client-certificate and client-key, … */
  user?: Record<string, unknown>;
  /** The context's name (also the cluster's and the user's). */
  context?: string;
  /** The context's default namespace. */
  namespace?: string;
}

/** Writes the kubeconfig and returns its path. */
export function writeKubeconfig({ server, cluster = {}, user = { token: 'secret-token-4f9a8b7c6d5e' }, context = 't', namespace }: KubeconfigSpec): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kdiag-kc-')), 'config');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': context,
    clusters: [{ name: context, cluster: { server, ...cluster } }],
    contexts: [{ name: context, context: { cluster: context, user: context, ...(namespace ? { namespace } : {}) } }],
    users: [{ name: context, user }],
  };
  writeFileSync(file, dump(config));
  return file;
}
