// Every code in the catalogue has a doc with the four sections, and every doc a code.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODES } from '../../src/report/codes.js';
import { ROOT } from '../support/run.js';

const DOCS = join(ROOT, 'docs', 'checks');

describe('finding code catalogue', () => {
  const docFiles = readdirSync(DOCS).filter((f) => f.endsWith('.md'));

  it.each(Object.entries(CODES))('%s has docs/checks/<code>.md with meaning, reason, fix and a Kubernetes link', (code, info) => {
    const text = readFileSync(join(DOCS, `${code}.md`), 'utf8');
    expect(text.split('\n')[0]).toBe(`# ${code}: ${info.title}`);
    expect(text).toContain(`- Check: \`${info.check}\``);
    expect(text).toContain(`- Severity: ${info.severity}`);
    for (const section of ['## What it means', '## Why it matters', '## How to fix', '## Kubernetes documentation']) expect(text).toContain(section);
    expect(text).toMatch(/https:\/\/kubernetes\.io\/docs\/|https:\/\/gateway-api\.sigs\.k8s\.io\/|https:\/\/cert-manager\.io\/docs\//);
  });

  it('has no doc without a code', () => {
    const orphans = docFiles.map((f) => f.replace(/\.md$/, '')).filter((c) => !(c in CODES));
    expect(orphans).toEqual([]);
  });

  it('uses the KDnnnn form', () => {
    for (const code of Object.keys(CODES)) expect(code).toMatch(/^KD\d{4}$/);
  });
});
