// A hostile scenario: fixtures built around one value an object's author controls, and the codes
// that must fire on them. The hostile tests run each scenario for every value and check every
// finding with expectSafeFindings; the coverage test compares the codes with the catalogue.
import type { Code } from '../../../src/report/codes.js';
import type { Finding } from '../../../src/report/types.js';
import { HOSTILE_STRINGS, YAML_SPECIAL } from '../../support/hostile.js';

export interface HostileScenario {
  /** What the value is put into (a label value, a Service name, …). */
  name: string;
  /** Codes that must fire for every value. */
  codes: readonly Code[];
  run: (value: string) => Finding[] | Promise<Finding[]>;
}

/** Every hostile and YAML-special value, once. */
export const HOSTILE_VALUES: readonly string[] = [...new Set([...HOSTILE_STRINGS, ...YAML_SPECIAL])];

/** A name from a value: names cannot be empty, every other value is used as it is. */
export function nameOf(value: string, suffix = ''): string {
  return `${value === '' ? 'empty' : value}${suffix}`;
}
