import { expect, it } from '@jest/globals';
import { expectSafeFindings } from '../../support/hostile.js';
import { HOSTILE_VALUES, type HostileScenario } from './types.js';

/** One test per scenario and value: the codes fire, and every finding is safe to read and paste. */
export function describeHostile(scenarios: readonly HostileScenario[]): void {
  for (const s of scenarios) {
    it.each(HOSTILE_VALUES.map((v) => [v]))(`${s.name} (${s.codes.join(', ')}): %j`, async (value) => {
      const findings = await s.run(value);
      const fired = new Set(findings.map((f) => f.code));
      expect(s.codes.filter((c) => !fired.has(c))).toEqual([]);
      expectSafeFindings(findings);
    });
  }
}
