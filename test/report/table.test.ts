import { describe, expect, it } from '@jest/globals';
import { breakPieces, renderTable, wrapLine } from '../../src/report/table.js';
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

describe('tables at a terminal width', () => {
  const services = [
    ['NAMESPACE', 'SERVICE', 'TYPE', 'CLUSTER-IP', 'EXTERNAL', 'PORTS', 'FINDINGS'],
    ['payment-service', 'payment-service', 'LoadBalancer', '10.96.120.201', 'db.internal.example', '80:30080/TCP,443:30443/TCP', 'KD2001,KD2002'],
  ];

  it('wrap between tokens (after spaces and commas), never inside an address, a port item or a code', () => {
    const text = renderTable(services[0]!, services.slice(1), { width: 115 });
    const lines = text.split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(115);
    expect(text).toContain('10.96.120.201');
    expect(lines[1]).toMatch(/ 80:30080\/TCP, +KD2001,$/);
    expect(lines[2]).toMatch(/^ +443:30443\/TCP +KD2002$/);
    expect(text).toContain('KD2001');
  });

  it('leave out the columns given to drop, in order, before cutting a value, and say so', () => {
    const text = renderTable(services[0]!, services.slice(1), { width: 80, drop: [2, 4] });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).not.toContain('…');
    expect(text).toContain('10.96.120.201');
    expect(text).toMatch(/not shown at 80 columns: TYPE/);
  });

  it('cut other columns with an ellipsis only when nothing else fits, never an address or the first two columns', () => {
    const text = renderTable(services[0]!, services.slice(1), { width: 80 });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).toContain('…');
    expect(text).toContain('10.96.120.201');
    expect(text.split('\n')[1]).toMatch(/^payment-service\s+payment-service\s/);
  });

  it('break at slashes only between names: not in a URL scheme, a CIDR or a port with its protocol', () => {
    expect(breakPieces('infra/public/https', 2)).toEqual(['infra/', 'public/', 'https']);
    expect(breakPieces('10.0.0.0/24', 2)).toEqual(['10.0.0.0/24']);
    expect(breakPieces('80/TCP,443/TCP', 2)).toEqual(['80/TCP,', '443/TCP']);
    expect(breakPieces('https://a.example/x', 2)).toEqual(['https://a.example/', 'x']);
    expect(breakPieces('infra/public', 1)).toEqual(['infra/public']);
  });

  it('keep the colour of a wrapped cell on every line', () => {
    const red = '\u001b[31mNO ENDPOINTS\u001b[39m';
    const text = renderTable(['A', 'STATUS', 'CAUSE'], [['x'.repeat(30), red, 'word '.repeat(20).trim()]], { width: 50 });
    expect(text).toContain('\u001b[31mNO\u001b[39m');
    expect(text).toContain('\u001b[31mENDPOINTS\u001b[39m');
  });
});

describe('wrapLine', () => {
  it('fills each line greedily and trims the spaces it breaks at', () => {
    expect(wrapLine('one two three four', 9, 1)).toEqual(['one two', 'three', 'four']);
  });
});
