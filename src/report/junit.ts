// JUnit XML for CI: one test suite per check, one test case per object with findings
// (a failure when a finding is at or above --fail-on), and one passing case for a clean check.
import type { CheckResult } from './check-result.js';
import { refString, type Finding, type Severity } from './types.js';

const RANK = { error: 3, warning: 2, info: 1 } as const;

export function xmlEscape(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

export function renderJunit(checks: readonly CheckResult[], failOn: Severity, name = 'kdiag check'): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const cases = (c: CheckResult) => {
    const byObject = new Map<string, Finding[]>();
    for (const f of c.findings) {
      const key = `${f.object.kind} ${refString(f.object)}`;
      byObject.set(key, [...(byObject.get(key) ?? []), f]);
    }
    return byObject;
  };
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const suites: string[] = [];
  for (const c of checks) {
    const objects = cases(c);
    const body: string[] = [];
    let suiteFailures = 0;
    const time = (c.durationMs / 1000).toFixed(3);
    if (c.status === 'errored' || c.status === 'skipped') {
      const tag =
        c.status === 'errored' ? `<error message="${xmlEscape(c.reason ?? 'check failed')}"/>` : `<skipped message="${xmlEscape(c.reason ?? 'skipped')}"/>`;
      body.push(`    <testcase classname="kdiag.${xmlEscape(c.id)}" name="${xmlEscape(c.title)}" time="${time}">${tag}</testcase>`);
      if (c.status === 'errored') errors++;
      else skipped++;
    } else if (objects.size === 0) {
      body.push(`    <testcase classname="kdiag.${xmlEscape(c.id)}" name="${xmlEscape(c.title)}" time="${time}"/>`);
    }
    for (const [object, findings] of objects) {
      const failing = findings.filter((f) => RANK[f.severity] >= RANK[failOn]);
      const text = findings.map((f) => `[${f.severity}] ${f.code} ${f.message}\ncause: ${f.cause}\nfix: ${f.fix}`).join('\n\n');
      if (failing.length) {
        suiteFailures++;
        body.push(
          `    <testcase classname="kdiag.${xmlEscape(c.id)}" name="${xmlEscape(object)}"><failure message="${xmlEscape(failing.map((f) => `${f.code} ${f.message}`).join('; '))}" type="${xmlEscape(failing[0]!.code)}">${xmlEscape(text)}</failure></testcase>`,
        );
      } else {
        body.push(`    <testcase classname="kdiag.${xmlEscape(c.id)}" name="${xmlEscape(object)}"><system-out>${xmlEscape(text)}</system-out></testcase>`);
      }
    }
    tests += body.length;
    failures += suiteFailures;
    suites.push(
      `  <testsuite name="${xmlEscape(c.id)}" tests="${body.length}" failures="${suiteFailures}" errors="${c.status === 'errored' ? 1 : 0}" skipped="${c.status === 'skipped' ? 1 : 0}" time="${time}">`,
      ...body,
      '  </testsuite>',
    );
  }
  lines.push(
    `<testsuites name="${xmlEscape(name)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    ...suites,
    '</testsuites>',
  );
  return lines.join('\n');
}
