import { describe, expect, it } from '@jest/globals';
import { renderTable } from '../../src/report/table.js';
import { makeStyle } from '../../src/report/style.js';

const head = ['NAMESPACE', 'SERVICE', 'STATUS', 'CAUSE'];
const rows = [['production', 'api-v2-service', 'NO ENDPOINTS', 'selector app=api-v2 matches no pod; pods with the same label keys: app=api-v2-server (1 pod)']];

describe('tables', () => {
  it('print kubectl-style columns without borders, and never cut piped output', () => {
    const text = renderTable(head, rows);
    expect(text.split('\n')[0]).toBe('NAMESPACE    SERVICE          STATUS         CAUSE');
    expect(text).toContain('matches no pod; pods with the same label keys: app=api-v2-server (1 pod)');
    expect(renderTable(head, rows, { noHeaders: true }).split('\n')).toHaveLength(1);
  });

  it('fit an 80-column terminal by wrapping the last column', () => {
    const lines = renderTable(head, rows, { width: 80 }).split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain('app=api-v2-server (1 pod)');
  });

  it('use no escape codes when colour is off or stdout is not a terminal', () => {
    const style = makeStyle(false);
    expect(style.severity('error', 'ERROR')).toBe('ERROR');
    expect(style.ok('ok')).toBe('ok');
  });
});
