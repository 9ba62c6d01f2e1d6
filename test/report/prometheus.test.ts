import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { escapeLabelValue, pushgatewayUrl, renderPrometheus } from '../../src/report/prometheus.js';
import type { Finding, Report } from '../../src/report/types.js';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { HOSTILE_STRINGS } from '../support/hostile.js';
import { kdiag } from '../support/run.js';

const cluster = [...loadFixture('production.yaml'), ...loadFixture('kube-system.yaml')];

/** Debian's promtool (package prometheus): the format checker Prometheus itself uses. */
function promtool(text: string): { code: number; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

function parseSamples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(l)!;
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g))
        labels[k!] = v!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

const f = (code: string, severity: Finding['severity'], namespace: string | undefined, kind = 'Service', name = 'api'): Finding => ({
  code,
  check: 'endpoints',
  severity,
  object: { kind, name, ...(namespace ? { namespace } : {}) },
  message: `${name}: x`,
  cause: 'c',
  fix: 'f',
});

describe('renderPrometheus', () => {
  const report: Report = {
    apiVersion: 'kdiag/v1',
    kind: 'CheckReport',
    context: 'prod',
    serverVersion: 'https://10.0.0.1:6443 (v1.35.8)',
    findings: [
      f('KD1001', 'error', 'production'),
      f('KD1001', 'error', 'production', 'Service', 'web'),
      f('KD1008', 'warning', 'staging'),
      f('KD6001', 'warning', undefined, 'Check'),
    ],
    checks: [
      { id: 'endpoints', status: 'failed', durationMs: 12 },
      { id: 'gateway', status: 'skipped', durationMs: 0 },
    ],
    probes: {
      pods: 2,
      maxAlive: 2,
      results: [
        { namespace: 'production', target: 'api.production', outcome: 'ok', totalMs: 15 },
        { namespace: 'production', target: 'db.production', outcome: 'timeout' },
      ],
    },
  };

  it('counts findings by code, check, severity, namespace and kind; durations and probe results', () => {
    const text = renderPrometheus({ command: 'check', reports: [report], timestamp: 1_800_000_000, version: '0.1.0' });
    expect(promtool(text)).toEqual({ code: 0, output: '' });
    const samples = parseSamples(text);
    const get = (name: string) => samples.filter((s) => s.name === name).map((s) => ({ ...s.labels, value: s.value }));
    expect(get('kdiag_findings')).toEqual([
      { context: 'prod', code: 'KD1001', check: 'endpoints', severity: 'error', namespace: 'production', kind: 'Service', value: 2 },
      { context: 'prod', code: 'KD1008', check: 'endpoints', severity: 'warning', namespace: 'staging', kind: 'Service', value: 1 },
      { context: 'prod', code: 'KD6001', check: 'endpoints', severity: 'warning', namespace: '', kind: 'Check', value: 1 },
    ]);
    expect(get('kdiag_findings_by_severity')).toEqual([
      { context: 'prod', severity: 'error', value: 2 },
      { context: 'prod', severity: 'warning', value: 2 },
      { context: 'prod', severity: 'info', value: 0 },
    ]);
    expect(get('kdiag_check_duration_seconds')).toEqual([
      { context: 'prod', check: 'endpoints', value: 0.012 },
      { context: 'prod', check: 'gateway', value: 0 },
    ]);
    expect(get('kdiag_check_status')).toContainEqual({ context: 'prod', check: 'gateway', status: 'skipped', value: 1 });
    expect(get('kdiag_probe_success')).toEqual([
      { context: 'prod', namespace: 'production', target: 'api.production', outcome: 'ok', value: 1 },
      { context: 'prod', namespace: 'production', target: 'db.production', outcome: 'timeout', value: 0 },
    ]);
    expect(get('kdiag_probe_duration_seconds')).toEqual([{ context: 'prod', namespace: 'production', target: 'api.production', outcome: 'ok', value: 0.015 }]);
    expect(get('kdiag_run_info')).toEqual([{ context: 'prod', command: 'check', server_version: 'v1.35.8', kdiag_version: '0.1.0', value: 1 }]);
    expect(get('kdiag_run_success')).toEqual([{ context: 'prod', value: 1 }]);
    expect(get('kdiag_run_timestamp_seconds')).toEqual([{ context: 'prod', value: 1_800_000_000 }]);
  });

  it('reports a run that could not do its job as kdiag_run_success 0, and no probe series without probes', () => {
    const text = renderPrometheus({
      command: 'check',
      reports: [{ apiVersion: 'kdiag/v1', kind: 'CheckReport', error: 'unreachable', findings: [] }],
      timestamp: 1,
      version: '0.1.0',
    });
    expect(promtool(text).code).toBe(0);
    expect(text).toContain('\nkdiag_run_success 0\n');
    expect(text).not.toContain('kdiag_probe');
    expect(text).not.toMatch(/^kdiag_findings\{/m);
  });

  it('keeps hostile label values inside their quotes', () => {
    const findings = HOSTILE_STRINGS.map((s, i) => f('KD1001', 'error', `ns${i}`, s, s));
    const text = renderPrometheus({
      command: 'check',
      reports: [{ apiVersion: 'kdiag/v1', kind: 'CheckReport', context: 'a"b\\c\nd', findings }],
      timestamp: 1,
      version: '0.1.0',
    });
    expect(promtool(text)).toEqual({ code: 0, output: '' });
    const kinds = parseSamples(text)
      .filter((s) => s.name === 'kdiag_findings')
      .map((s) => s.labels.kind);
    expect(kinds.sort()).toEqual([...HOSTILE_STRINGS].sort());
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it('groups a push by context, base64url-encoded so any name stays one path segment', () => {
    expect(pushgatewayUrl('http://127.0.0.1:9091/', {})).toBe('http://127.0.0.1:9091/metrics/job/kdiag');
    expect(pushgatewayUrl('http://pg.example:9091/prefix', { context: 'admin@prod/eu' })).toBe(
      `http://pg.example:9091/prefix/metrics/job/kdiag/context@base64/${Buffer.from('admin@prod/eu').toString('base64url')}`,
    );
    expect(() => pushgatewayUrl('file:///etc/passwd', {})).toThrow(/http/);
  });
});

describe('kdiag check -o prometheus (against a fake API)', () => {
  it('prints metrics that promtool accepts, with the same findings as JSON', async () => {
    fakeApi(cluster);
    const json = JSON.parse((await kdiag(['check', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()])).stdout);
    fakeApi(cluster);
    const { stdout, code } = await kdiag(['check', '-n', 'production', '-o', 'prometheus', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    expect(promtool(stdout)).toEqual({ code: 0, output: '' });
    const samples = parseSamples(stdout);
    const total = samples.filter((s) => s.name === 'kdiag_findings').reduce((n, s) => n + s.value, 0);
    expect(total).toBe(json.findings.length);
    const checks = samples.filter((s) => s.name === 'kdiag_check_duration_seconds').map((s) => s.labels.check);
    expect(checks).toEqual(json.checks.map((c: { id: string }) => c.id));
    expect(samples.find((s) => s.name === 'kdiag_run_info')?.labels).toMatchObject({ command: 'check', context: 'test', server_version: 'v1.35.0' });
  });

  it('writes the metrics to --output-file, stdout stays empty', async () => {
    fakeApi(cluster);
    const file = join(mkdtempSync(join(tmpdir(), 'kdiag-prom-')), 'kdiag.prom');
    const { stdout } = await kdiag([
      'check',
      '-n',
      'production',
      '--only',
      'endpoints',
      '-o',
      'prometheus',
      '--output-file',
      file,
      '-q',
      '--kubeconfig',
      testKubeconfig(),
    ]);
    expect(stdout).toBe('');
    const text = readFileSync(file, 'utf8');
    expect(promtool(text).code).toBe(0);
    expect(text).toMatch(/^kdiag_check_duration_seconds\{context="test",check="endpoints"\} [\d.]+$/m);
  });

  it('PUTs the metrics to a Pushgateway (a local HTTP server)', async () => {
    const received: { method: string; url: string; type: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', type: String(req.headers['content-type']), body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      fakeApi(cluster);
      nock.enableNetConnect('127.0.0.1');
      const { stdout, stderr } = await kdiag([
        'check',
        '-n',
        'production',
        '--only',
        'endpoints',
        '-o',
        'prometheus',
        '--pushgateway',
        `http://127.0.0.1:${port}`,
        '--metrics-label',
        'cluster=eu-1',
        '--kubeconfig',
        testKubeconfig(),
      ]);
      expect(stdout).toBe('');
      expect(received).toHaveLength(1);
      const b64 = (s: string) => Buffer.from(s).toString('base64url');
      expect(received[0]).toMatchObject({
        method: 'PUT',
        url: `/metrics/job/kdiag/cluster@base64/${b64('eu-1')}/context@base64/${b64('test')}`,
        type: 'text/plain; version=0.0.4; charset=utf-8',
      });
      expect(promtool(received[0]!.body).code).toBe(0);
      expect(received[0]!.body).toMatch(/^kdiag_run_success\{cluster="eu-1",context="test"\} 1$/m);
      expect(stderr).toContain(`metrics pushed to http://127.0.0.1:${port}/metrics/job/kdiag/cluster@base64/`);
    } finally {
      server.close();
    }
  });

  it('says so (exit 2) when the Pushgateway refuses the metrics', async () => {
    const server = createServer((_req, res) => res.writeHead(400).end('pushed metrics are invalid or inconsistent with existing metrics\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      fakeApi(cluster);
      nock.enableNetConnect('127.0.0.1');
      const { stderr, code } = await kdiag([
        'check',
        '-n',
        'production',
        '--only',
        'endpoints',
        '-o',
        'prometheus',
        '--pushgateway',
        `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        '--kubeconfig',
        testKubeconfig(),
      ]);
      expect(code).toBe(2);
      expect(stderr).toContain('could not push the metrics to http://127.0.0.1:');
      expect(stderr).toContain('400 Bad Request: pushed metrics are invalid');
    } finally {
      server.close();
    }
  });

  it('refuses a --metrics-label that is no label name or that kdiag uses', async () => {
    for (const [value, message] of [
      ['bad-name=x', 'wants name=value with a Prometheus label name'],
      ['severity=high', "kdiag's metrics use that label already"],
    ]) {
      const { stderr, code } = await kdiag(['check', '-o', 'prometheus', '--metrics-label', value!, '--kubeconfig', testKubeconfig()]);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    }
  });

  it('refuses --output-file without -o prometheus before sending anything', async () => {
    const { stderr, code } = await kdiag(['check', '-o', 'json', '--output-file', '/tmp/x', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(2);
    expect(stderr).toContain('--output-file, --pushgateway and --metrics-label go with -o prometheus');
  });
});

it('promtool is the one from Debian', () => {
  expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool, version 2\./);
});
