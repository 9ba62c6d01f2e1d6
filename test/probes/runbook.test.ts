import { describe, expect, it } from '@jest/globals';
import { pool, probeTargets } from '../../src/engine/runbook.js';
import { fixtureSnapshot, loadFixture } from '../support/fixtures.js';

describe('check --probes planning', () => {
  it('probes every Service of the namespace except ExternalName ones', () => {
    const snap = fixtureSnapshot(loadFixture('production.yaml'));
    const targets = probeTargets(snap, 'production');
    expect(targets).toContain('api-service.production');
    expect(targets).not.toContain('external-db.production');
    expect(targets).toHaveLength(13);
  });

  it('keeps at most `limit` tasks running and runs each once', async () => {
    let alive = 0;
    let max = 0;
    const done: number[] = [];
    await pool([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 5, async (n) => {
      alive++;
      max = Math.max(max, alive);
      await new Promise((r) => setTimeout(r, 5 + (n % 3) * 5));
      done.push(n);
      alive--;
    });
    expect(max).toBe(5);
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});
