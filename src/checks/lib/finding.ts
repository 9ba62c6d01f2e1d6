import { CODES, type Code } from '../../report/codes.js';
import type { FixSpec } from '../../report/fix.js';
import type { Finding, ObjectRef, Severity } from '../../report/types.js';

/** The text of a finding as a rule writes it (the Ingress and Gateway rule contexts take the same). */
export interface FindingText {
  message: string;
  cause: string;
  /** Prose only, or built by the fix builder (src/report/fix.ts) when it holds a command or manifest. */
  fix: string | FixSpec;
  /** Overrides the catalogue's severity (e.g. a grace period turns an error into info). */
  severity?: Severity;
  /** The one object the problem comes from when many findings share it (table output groups by it). */
  root?: ObjectRef;
}

/** A finding for `code`: check and severity come from the catalogue, so they cannot drift. */
export function finding(code: Code, object: ObjectRef, text: FindingText): Finding {
  const info = CODES[code];
  return {
    code,
    check: info.check,
    severity: text.severity ?? info.severity,
    object,
    message: text.message,
    cause: text.cause,
    ...(text.root ? { root: text.root } : {}),
    ...(typeof text.fix === 'string' ? { fix: text.fix } : { fix: text.fix.text, ...(text.fix.remediation ? { remediation: text.fix.remediation } : {}) }),
  };
}

/** A finding's fix as the builder's FixSpec, to carry into another finding or extend. */
export function fixSpecOf(f: Pick<Finding, 'fix' | 'remediation'>): FixSpec {
  return { text: f.fix, ...(f.remediation ? { remediation: f.remediation } : {}) };
}

/** The finding with another fix (text and remediation together). */
export function withFix(f: Finding, spec: FixSpec): Finding {
  const out: Finding = { ...f, fix: spec.text };
  delete out.remediation;
  if (spec.remediation) out.remediation = spec.remediation;
  return out;
}

export function refOf(kind: string, obj: { metadata?: { namespace?: string; name?: string } }): ObjectRef {
  return { kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? '' };
}
