// The JSON contract (schema/report.schema.json) as a test helper for every command's -o json.
import { expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CODES } from '../../src/report/codes.js';
import { ROOT } from './run.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true }).compile(schema);

export function validateReport(report: unknown): boolean {
  return validate(report) as boolean;
}

/** Asserts the report matches the schema and each finding's code and check agree with the catalogue. */
export function expectValidReport(report: unknown): void {
  const ok = validate(report);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  for (const f of (report as { findings: { code: string; check: string }[] }).findings) {
    expect(CODES).toHaveProperty(f.code);
    expect(f.check).toBe((CODES as Record<string, { check: string }>)[f.code]!.check);
  }
}
