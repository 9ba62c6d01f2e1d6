import { execFileSync } from 'node:child_process';
import { load } from 'js-yaml';
import { fix, joinFixes, kubectl, kubectlApply, manifest, renderCommand, shellQuote, toYaml } from '../../src/report/fix.js';
import { HOSTILE_STRINGS, shellArgv } from '../support/hostile.js';

describe('fix builder', () => {
  it.each(HOSTILE_STRINGS)('quotes %j so that bash reads exactly that one argument', (value) => {
    const c = kubectl('-n', value, 'patch', 'ingress', value, '-p', { spec: { ingressClassName: value } });
    expect(shellArgv(renderCommand(c))).toEqual(c.argv);
  });

  it('leaves plain arguments unquoted', () => {
    expect(shellQuote('production')).toBe('production');
    expect(shellQuote('app=api-v2')).toBe('app=api-v2');
    expect(shellQuote('')).toBe("''");
  });

  it('writes invisible characters as escapes, never raw', () => {
    const quoted = shellQuote('a\u001b[31mb\u202ec\n');
    expect(quoted).toBe("$'a\\x1b[31mb\\u202ec\\x0a'");
  });

  it.each(HOSTILE_STRINGS)('serialises a manifest with %j so that it parses back to the same object', (value) => {
    const m = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', labels: { app: value } }, spec: { selector: { app: value } } };
    const spec = fix`Apply:\n${kubectlApply(m)}`;
    expect(spec.remediation?.commands[0]?.stdin).toEqual(m);
    const text = spec.text.slice(spec.text.indexOf('\n') + 1);
    const [first, ...rest] = text.split('\n');
    const delimiter = /<<'(.+)'$/.exec(first ?? '')?.[1];
    expect(delimiter).toBeDefined();
    const body = rest.slice(0, rest.lastIndexOf(delimiter!)).join('\n');
    expect(load(body)).toEqual(m);
  });

  it('keeps YAML-special label values strings', () => {
    const spec = fix`${manifest({ matchLabels: { a: 'true', b: 'no', c: '0x1', d: '~' } })}`;
    expect(load(spec.text)).toEqual({ matchLabels: { a: 'true', b: 'no', c: '0x1', d: '~' } });
    expect(spec.remediation?.manifests).toHaveLength(1);
  });

  it('picks a here-document delimiter that no line of the manifest equals', () => {
    const c = kubectlApply({ data: { script: 'a\nEOF\nb' } });
    const out = execFileSync('bash', ['-c', `cat() { command cat; }; kubectl() { cat; }; ${renderCommand(c)}`], { encoding: 'utf8' });
    expect(load(out)).toEqual({ data: { script: 'a\nEOF\nb' } });
  });

  it('records commands and manifests in order and joins several fixes', () => {
    const a = fix`first ${kubectl('get', 'pods')}`;
    const b = fix`then ${kubectl('describe', 'pod', 'x')} or merge ${manifest({ a: 1 })}`;
    const both = joinFixes([a, b, fix`prose only`]);
    expect(both.remediation?.commands.map((c) => c.argv)).toEqual([
      ['kubectl', 'get', 'pods'],
      ['kubectl', 'describe', 'pod', 'x'],
    ]);
    expect(both.remediation?.manifests).toEqual([{ a: 1 }]);
    expect(fix`prose only`.remediation).toBeUndefined();
  });

  it('writes YAML in kubectl style, hidden and control characters escaped, and reads back the same', () => {
    const m = { metadata: { labels: { a: 'ab\u202ecd', b: 'z\u200bw\nx', c: 'x\u001b[2J', d: 'no' } }, spec: { policyTypes: ['Ingress'] } };
    const yaml = toYaml(m);
    expect(yaml).toContain('spec:\n  policyTypes:\n  - Ingress\n');
    expect(yaml).toContain('a: "ab\\u202ecd"');
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u0009\u000b-\u001f\u200b-\u200f\u202a-\u202e]/.test(yaml)).toBe(false);
    expect(load(yaml)).toEqual(m);
  });
});
