// .kdiag.yaml (or --config FILE): silence codes, objects or namespaces, and set thresholds.
//
//   ignore:
//     codes: [KD2004]                      # never report these codes
//     objects: [production/legacy-db]      # namespace/name, or Kind:namespace/name
//     namespaces: [kube-system]
//   thresholds:
//     certWarnDays: 14                     # kdiag ingress/check: certificate expiry warning
//     dnsTimeoutSeconds: 5                 # probes: per-lookup timeout
//     addressGraceSeconds: 300             # LoadBalancer/Ingress address grace period
import { existsSync, readFileSync } from 'node:fs';
import { KdiagError } from './errors.js';
import type { Finding } from './report/types.js';

export interface KdiagConfig {
  ignore: { codes: string[]; objects: string[]; namespaces: string[] };
  thresholds: { certWarnDays?: number; dnsTimeoutSeconds?: number; addressGraceSeconds?: number };
  source?: string;
}

export const DEFAULT_CONFIG_FILE = '.kdiag.yaml';

function strings(value: unknown, where: string, file: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new KdiagError(`${file}: ${where} must be a list of strings`);
  }
  return value as string[];
}

export async function loadConfig(explicit?: string): Promise<KdiagConfig> {
  const empty: KdiagConfig = { ignore: { codes: [], objects: [], namespaces: [] }, thresholds: {} };
  const file = explicit ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (!file) return empty;
  if (!existsSync(file)) throw new KdiagError(`config file ${file} does not exist`);
  const { load } = await import('js-yaml');
  let doc: unknown;
  try {
    doc = load(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new KdiagError(`config file ${file} is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === undefined || doc === null) return { ...empty, source: file };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new KdiagError(`config file ${file} must be a mapping with ignore: and thresholds:`);
  const d = doc as { ignore?: Record<string, unknown>; thresholds?: Record<string, unknown> };
  const thresholds: KdiagConfig['thresholds'] = {};
  for (const key of ['certWarnDays', 'dnsTimeoutSeconds', 'addressGraceSeconds'] as const) {
    const v = d.thresholds?.[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new KdiagError(`${file}: thresholds.${key} must be a non-negative number`);
    thresholds[key] = v;
  }
  return {
    ignore: {
      codes: strings(d.ignore?.codes, 'ignore.codes', file),
      objects: strings(d.ignore?.objects, 'ignore.objects', file),
      namespaces: strings(d.ignore?.namespaces, 'ignore.namespaces', file),
    },
    thresholds,
    source: file,
  };
}

/** Drops silenced findings. Objects match as `namespace/name` or `Kind:namespace/name` (cluster objects: `name`). */
export function applyConfig(findings: readonly Finding[], config: KdiagConfig): Finding[] {
  const { codes, objects, namespaces } = config.ignore;
  return findings.filter((f) => {
    if (codes.includes(f.code)) return false;
    if (f.object.namespace && namespaces.includes(f.object.namespace)) return false;
    const ref = f.object.namespace ? `${f.object.namespace}/${f.object.name}` : f.object.name;
    return !objects.includes(ref) && !objects.includes(`${f.object.kind}:${ref}`);
  });
}
