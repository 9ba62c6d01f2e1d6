import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CODES } from '../../src/report/codes.js';
import { kdiag, kdiagBinary, ROOT } from '../support/run.js';

const doc = (code: string) => readFileSync(join(ROOT, 'docs', 'checks', `${code}.md`), 'utf8');

describe('kdiag docs', () => {
  it('lists every finding code with its severity, check and title', async () => {
    const { stdout, code } = await kdiag(['docs']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CODE\s+SEVERITY\s+CHECK\s+TITLE$/);
    expect(lines).toHaveLength(Object.keys(CODES).length + 1);
    expect(lines[1]).toMatch(/^KD1001\s+error\s+endpoints\s+Service selector matches no Pod$/);
    expect(lines.find((l) => l.startsWith('KD1008'))).toMatch(/^KD1008\s+warning\s+endpoints\s+Only one ready endpoint \(no redundancy\)$/);
  });

  it('prints docs/checks/CODE.md as it is, whatever the case of the code', async () => {
    const upper = await kdiag(['docs', 'KD1001']);
    expect(upper.code).toBe(0);
    expect(upper.stdout).toBe(`${doc('KD1001').trimEnd()}\n`);
    const lower = await kdiag(['docs', 'kd2002']);
    expect(lower.stdout).toBe(`${doc('KD2002').trimEnd()}\n`);
    expect(lower.stdout).toMatch(/## How to fix\n/);
    expect(lower.stdout).toMatch(/https:\/\/kubernetes\.io\/docs\//);
  });

  it('gives the list and one code as JSON', async () => {
    const list = JSON.parse((await kdiag(['docs', '-o', 'json'])).stdout);
    expect(list).toMatchObject({ apiVersion: 'kdiag/v1', kind: 'FindingCodeList' });
    expect(list.codes).toContainEqual({ code: 'KD4001', severity: 'error', check: 'netpol', title: CODES.KD4001.title });
    const one = JSON.parse((await kdiag(['docs', 'KD4001', '-o', 'json'])).stdout);
    expect(one).toEqual({ apiVersion: 'kdiag/v1', kind: 'FindingCodeDoc', code: 'KD4001', ...CODES.KD4001, markdown: doc('KD4001') });
  });

  it('an unknown code exits 2 and lists the known codes on stderr', async () => {
    const { stdout, stderr, code } = await kdiagBinary(['docs', 'KD9999']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^kdiag: unknown finding code "KD9999"\. Known codes:\n/);
    for (const known of Object.keys(CODES)) expect(stderr).toContain(known);
  });
});
