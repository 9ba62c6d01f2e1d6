// ingress-nginx annotations: value types, misspelled keys, capture-group rewrites and
// annotations meant for other controllers. The known keys and types are data
// (./data/nginx-annotations.ts); this module only interprets them.
import type { V1Ingress } from '@kubernetes/client-node';
import { fix, kubectl } from '../report/fix.js';
import type { Finding, ObjectRef } from '../report/types.js';
import { NGINX_ANNOTATIONS, NGINX_PREFIX, OTHER_CONTROLLER_PREFIXES, type AnnotationSpec } from './data/nginx-annotations.js';
import { finding } from './lib/finding.js';

const BOOL = /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/;
const INT = /^-?\d+$/;
const SIZE = /^\d+(\.\d+)?[kKmMgG]?$/;
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9a-fA-F:]+:[0-9a-fA-F:]*(\/\d{1,3})?)$/;

const TYPE_NAMES: Record<string, string> = {
  bool: 'a boolean',
  int: 'a whole number',
  size: 'an nginx size',
  ints: 'a list of whole numbers',
  cidrs: 'a list of CIDRs',
  enum: 'one of',
};

/** Why a value does not fit its type; undefined when it fits. */
export function typeError(spec: AnnotationSpec, value: string): string | undefined {
  const v = value.trim();
  switch (spec.type) {
    case 'bool':
      return BOOL.test(v) ? undefined : 'expects a boolean ("true" or "false")';
    case 'int':
      return INT.test(v) ? undefined : 'expects a whole number';
    case 'size':
      return SIZE.test(v) ? undefined : 'expects an nginx size such as 10m, 512k or 1024 (units k, m, g)';
    case 'ints':
      return v.split(',').every((p) => INT.test(p.trim())) ? undefined : 'expects comma-separated whole numbers';
    case 'cidrs':
      return v.split(',').every((p) => CIDR.test(p.trim())) ? undefined : 'expects comma-separated CIDRs such as 10.0.0.0/8,192.168.1.1';
    case 'enum':
      return spec.values!.includes(v) ? undefined : `expects one of ${spec.values!.join(', ')}`;
    default:
      return undefined;
  }
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The known annotation nearest to an unknown one, when it is close enough to be a typo. */
export function nearestAnnotation(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of Object.keys(NGINX_ANNOTATIONS)) {
    const d = editDistance(key, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function captureGroups(path: string): number {
  // Unescaped "(" not followed by "?" (non-capturing and lookaround groups do not count).
  return (path.match(/(?<!\\)\((?!\?)/g) ?? []).length;
}

interface AnnotationContext {
  ingress: V1Ingress;
  name: string;
  ref: ObjectRef;
  annotations: Record<string, string>;
  annotate: (...changes: string[]) => ReturnType<typeof kubectl>;
}

/** Findings for the annotations of one Ingress. `nginx`: its class is served by ingress-nginx. */
export function annotationFindings(ingress: V1Ingress, nginx: boolean): Finding[] {
  const ns = ingress.metadata?.namespace ?? '';
  const name = ingress.metadata?.name ?? '';
  const c: AnnotationContext = {
    ingress,
    name,
    ref: { kind: 'Ingress', namespace: ns, name },
    annotations: ingress.metadata?.annotations ?? {},
    annotate: (...changes: string[]) => kubectl('-n', ns, 'annotate', 'ingress', name, ...changes),
  };
  return [...nginxAnnotationValues(c), ...rewriteTargetGroups(c), ...(nginx ? foreignAnnotations(c) : [])];
}

/** An example of a valid value for an annotation of this type. */
function exampleValue(spec: (typeof NGINX_ANNOTATIONS)[string], value: string): string {
  const examples: Record<string, string> = { bool: 'true', int: '60', size: '10m', cidrs: '10.0.0.0/8', ints: '404,503' };
  if (spec.type === 'enum') return spec.values![0]!;
  return examples[spec.type] ?? value;
}

/** KD3041 unknown ingress-nginx annotations, KD3040 values that do not parse. */
function nginxAnnotationValues({ name, ref, annotations, annotate }: AnnotationContext): Finding[] {
  const out: Finding[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(NGINX_PREFIX)) continue;
    const short = key.slice(NGINX_PREFIX.length);
    const spec = NGINX_ANNOTATIONS[short];
    if (!spec) {
      const near = nearestAnnotation(short);
      out.push(
        finding('KD3041', ref, {
          message: `${name}: unknown annotation ${key}${near ? ` (did you mean ${NGINX_PREFIX}${near}?)` : ''}`,
          cause: `ingress-nginx does not know ${key} and ignores it${near ? `; the nearest known annotation is ${NGINX_PREFIX}${near}` : ''}.`,
          fix: near
            ? fix`${annotate(`${key}-`, `${NGINX_PREFIX}${near}=${value}`)}`
            : fix`Check the name against https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/ and remove it: ${annotate(`${key}-`)}`,
        }),
      );
      continue;
    }
    const problem = typeError(spec, value);
    if (!problem) continue;
    out.push(
      finding('KD3040', ref, {
        message: `${name}: annotation ${short}=${JSON.stringify(value)} ${problem}`,
        cause: `ingress-nginx reads ${key} as ${TYPE_NAMES[spec.type] ?? spec.type}${spec.type === 'enum' ? ` ${spec.values!.join(', ')}` : ''}; "${value}" does not parse, so the setting is ignored (or the admission webhook rejects the Ingress).`,
        fix: fix`Set ${TYPE_NAMES[spec.type] ?? 'a valid value'}${spec.type === 'enum' ? ` ${spec.values!.join(', ')}` : ''}, e.g.: ${annotate('--overwrite', `${key}=${exampleValue(spec, value)}`)}`,
      }),
    );
  }
  return out;
}

/** KD3042: rewrite-target refers to capture groups the paths do not define. */
function rewriteTargetGroups({ ingress, name, ref, annotations, annotate }: AnnotationContext): Finding[] {
  const rewrite = annotations[`${NGINX_PREFIX}rewrite-target`];
  const refs = rewrite ? [...rewrite.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])) : [];
  if (!rewrite || refs.length === 0) return [];
  const useRegex = /^(1|t|true)$/i.test(annotations[`${NGINX_PREFIX}use-regex`] ?? '');
  const paths = (ingress.spec?.rules ?? []).flatMap((r) => r.http?.paths ?? []);
  const maxRef = Math.max(...refs);
  const short = paths.filter((p) => captureGroups(p.path ?? '') < maxRef).map((p) => p.path ?? '/');
  if (useRegex && short.length === 0) return [];
  return [
    finding('KD3042', ref, {
      message: `${name}: rewrite-target ${JSON.stringify(rewrite)} uses capture groups ${!useRegex ? 'without use-regex' : `that path${short.length > 1 ? 's' : ''} ${short.join(', ')} do${short.length > 1 ? '' : 'es'} not define`}`,
      cause: `rewrite-target refers to $${maxRef}, which is filled from a capture group of the path regex. ${!useRegex ? `${NGINX_PREFIX}use-regex is not "true". ` : ''}${short.length ? `Path${short.length > 1 ? 's' : ''} ${short.join(', ')} ha${short.length > 1 ? 've' : 's'} fewer than ${maxRef} capture group(s), so $${maxRef} is empty and requests are rewritten to the wrong path. ` : ''}ingress-nginx's strict path validation rejects regex in Prefix/Exact paths.`,
      fix: fix`Use a regex path with pathType ImplementationSpecific, e.g. path: /api(/|$)(.*) with rewrite-target: /$2, and set: ${annotate('--overwrite', `${NGINX_PREFIX}use-regex=true`)}`,
    }),
  ];
}

/** KD3043: another controller's annotations on an Ingress that ingress-nginx serves. */
function foreignAnnotations({ name, ref, annotations, annotate }: AnnotationContext): Finding[] {
  const foreign = new Map<string, string[]>();
  for (const key of Object.keys(annotations)) {
    const other = OTHER_CONTROLLER_PREFIXES.find((o) => key.startsWith(o.prefix));
    if (other) foreign.set(other.controller, [...(foreign.get(other.controller) ?? []), key]);
  }
  return [...foreign].map(([controller, keys]) =>
    finding('KD3043', ref, {
      message: `${name}: ${keys.length} annotation${keys.length > 1 ? 's' : ''} of ${controller} on an ingress-nginx Ingress`,
      cause: `${keys.join(', ')} ${keys.length > 1 ? 'are' : 'is'} read by ${controller}, not by ingress-nginx (which serves this Ingress's class), so ${keys.length > 1 ? 'they have' : 'it has'} no effect.`,
      fix: fix`Use the ingress-nginx equivalent (${NGINX_PREFIX}…), or remove: ${annotate(...keys.map((k) => `${k}-`))}`,
    }),
  );
}
