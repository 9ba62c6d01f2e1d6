import { describe, expect, it } from '@jest/globals';
import { renderJson, renderJsonPieces } from '../../src/report/render.js';
import type { Report } from '../../src/report/types.js';

describe('-o json written in pieces', () => {
  it('joins to exactly renderJson, for arrays, nested objects, empty values and text with newlines', () => {
    const reports = [
      {
        apiVersion: 'kdiag/v1',
        kind: 'EndpointsReport',
        context: 'c',
        namespace: null,
        skipped: undefined,
        findings: [{ code: 'KD1001', message: 'line one\nline "two"', object: { kind: 'Service', name: 'a' }, list: [], map: {} }, null, 3],
        services: [{ name: 's', ports: [{ port: 80 }], pods: [] }],
        empty: [],
        when: new Date('2026-12-07T12:00:00Z'),
      },
      {},
      { only: [[1, [2]], { deep: { deeper: ['x'] } }] },
    ];
    for (const report of reports) {
      // cast: the pieces are checked against JSON.stringify for any object, not only a well-formed Report.
      const r = report as unknown as Report;
      expect([...renderJsonPieces(r)].join('')).toBe(renderJson(r));
    }
  });
});
