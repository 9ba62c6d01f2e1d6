// Loads the kubeconfig the way kubectl does (--kubeconfig, else KUBECONFIG merged, else
// ~/.kube/config, else in-cluster) and turns every way it can be wrong into one sentence.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from './k8s.js';
import { KdiagError } from '../errors.js';
import { didYouMean } from '../suggest.js';

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
}

export interface LoadedConfig {
  kc: KubeConfig;
  contextName: string;
  server: string;
  /** The context's namespace, else `default`. */
  namespace: string;
  source: string;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function kubeconfigFiles(explicit?: string): string[] {
  if (explicit) return [explicit];
  const env = process.env.KUBECONFIG;
  if (env) return env.split(delimiter).filter((p) => p.length > 0);
  return [join(homedir(), '.kube', 'config')];
}

function parseError(file: string, err: unknown): KdiagError {
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new KdiagError(`kubeconfig ${file} is not a valid kubeconfig (${reason})`, { cause: err });
}

function loadFile(file: string): KubeConfig {
  if (!existsSync(file)) {
    throw new KdiagError(`kubeconfig ${file} does not exist: pass --kubeconfig or set KUBECONFIG to a readable file`);
  }
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') throw new KdiagError(`kubeconfig ${file} is empty`);
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (err) {
    throw parseError(file, err);
  }
  // Relative certificate paths are relative to the file, as in kubectl.
  kc.makePathsAbsolute(join(file, '..'));
  return kc;
}

function merge(configs: KubeConfig[]): KubeConfig {
  // kubectl's rule: the first file to set a value wins; lists are unions keyed by name.
  const merged = new KubeConfig();
  const byName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  merged.loadFromOptions({
    clusters: byName(configs.map((c) => c.clusters)),
    users: byName(configs.map((c) => c.users)),
    contexts: byName(configs.map((c) => c.contexts)),
    currentContext: configs.map((c) => c.currentContext).find((c) => c) ?? '',
  });
  return merged;
}

export function loadKubeConfig(options: ConnectOptions): LoadedConfig {
  const files = kubeconfigFiles(options.kubeconfig);
  let kc: KubeConfig;
  let source: string;
  const present = options.kubeconfig ? files : files.filter((f) => existsSync(f));
  if (present.length > 0) {
    kc = present.length === 1 ? loadFile(present[0]!) : merge(present.map(loadFile));
    source = present.join(delimiter);
  } else if (existsSync(SA_TOKEN) && process.env.KUBERNETES_SERVICE_HOST) {
    kc = new KubeConfig();
    kc.loadFromCluster();
    source = 'in-cluster service account';
  } else {
    throw new KdiagError(`no kubeconfig found (looked at ${files.join(', ')}): pass --kubeconfig, set KUBECONFIG, or run inside a pod`);
  }

  const names = kc.getContexts().map((c) => c.name);
  if (options.context) {
    if (!names.includes(options.context)) {
      throw new KdiagError(
        `context "${options.context}" not found in ${source}` +
          (names.length ? ` (contexts: ${names.join(', ')})${didYouMean(options.context, names)}` : ' (it has no contexts)'),
      );
    }
    kc.setCurrentContext(options.context);
  } else if (!kc.getCurrentContext() || !names.includes(kc.getCurrentContext())) {
    const current = kc.getCurrentContext();
    throw new KdiagError(
      current
        ? `current-context "${current}" in ${source} names no context` + (names.length ? `: pass --context (contexts: ${names.join(', ')})` : '')
        : `${source} has no current-context` + (names.length ? `: pass --context (contexts: ${names.join(', ')})` : ' and no contexts'),
    );
  }

  const contextName = kc.getCurrentContext();
  const context = kc.getContextObject(contextName)!;
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KdiagError(`context "${contextName}" names cluster "${context.cluster}", which is not in ${source}`);
  if (!cluster.server) throw new KdiagError(`cluster "${cluster.name}" in ${source} has no server address`);
  const user = kc.getCurrentUser();
  for (const [what, file] of [
    ['certificate-authority', cluster.caFile],
    ['client-certificate', user?.certFile],
    ['client-key', user?.keyFile],
  ] as const) {
    if (file && !existsSync(file)) {
      throw new KdiagError(`the ${what} file ${file} named by context "${contextName}" does not exist`);
    }
  }
  return { kc, contextName, server: cluster.server, namespace: context.namespace || 'default', source };
}

/** Every context name of the kubeconfig (--all-contexts), in file order. */
export function contextNames(kubeconfig?: string): string[] {
  const files = kubeconfigFiles(kubeconfig);
  const present = kubeconfig ? files : files.filter((f) => existsSync(f));
  if (present.length === 0) throw new KdiagError(`no kubeconfig found (looked at ${files.join(', ')}): --all-contexts needs one`);
  const kc = present.length === 1 ? loadFile(present[0]!) : merge(present.map(loadFile));
  return kc.getContexts().map((c) => c.name);
}
