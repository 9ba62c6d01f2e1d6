/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// `kdiag check -o html` opened in a real browser (Debian's headless Chromium): the DOM has the
// summary, the findings (errors first) and the NetworkPolicy matrix; no console error and no
// network request. A screenshot is kept in build/test-artifacts/.
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { htmlReport } from '../../../src/engine/html-report.js';
import { escapeHtml } from '../../../src/report/html/render.js';
import { fakeApi, testKubeconfig } from '../../support/fake-api.js';
import { fixtureSnapshot, loadFixture } from '../../support/fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile.js';
import { kdiag, ROOT } from '../../support/run.js';

const cluster = [...loadFixture('production.yaml'), ...loadFixture('kube-system.yaml')];
const ARTIFACTS = join(ROOT, 'build', 'test-artifacts');

async function openInChromium(html: string, screenshot?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const profile = join(dir, 'profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    javaScriptEnabled: false,
    viewport: { width: 1200, height: 900 },
  });
  const console: string[] = [];
  const requests: string[] = [];
  try {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') console.push(m.text());
    });
    page.on('pageerror', (err) => console.push(err.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).toString());
    const dom = await page.evaluate(() => ({
      title: document.title,
      counts: document.querySelector('#counts')?.textContent ?? '',
      findings: [...document.querySelectorAll('article.finding')].map((a) => ({
        code: a.getAttribute('data-code'),
        severity: a.getAttribute('data-severity'),
        fix: a.querySelector('pre.fix')?.textContent ?? '',
      })),
      areas: [...document.querySelectorAll('section.area')].map((s) =>
        [...s.querySelectorAll('article.finding')].map((a) => a.getAttribute('data-severity') ?? ''),
      ),
      cells: [...document.querySelectorAll('#reachability td.cell')].map((c) => ({
        from: c.getAttribute('data-from'),
        to: c.getAttribute('data-to'),
        verdict: c.getAttribute('data-verdict'),
        text: c.textContent ?? '',
      })),
      headings: [...document.querySelectorAll('h2')].map((h) => h.textContent),
      paths: [...document.querySelectorAll('figure.traffic-path')].map((f) => ({
        url: f.getAttribute('data-url') ?? '',
        hops: [...f.querySelectorAll('li.hop')].map(
          (h) => `${h.getAttribute('data-hop')}:${h.getAttribute('data-status')}${h.getAttribute('data-broken') ? ':broken' : ''}`,
        ),
      })),
      scripts: document.querySelectorAll('script').length,
    }));
    if (screenshot) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    }
    return { dom, console, requests, file };
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('kdiag check -o html in headless Chromium', () => {
  it('shows the summary, the findings errors first with their fixes, and the NetworkPolicy matrix', async () => {
    fakeApi(cluster);
    const { stdout, code } = await kdiag(['check', '-n', 'production', '-o', 'html', '--kubeconfig', testKubeconfig()]);
    expect(code).toBe(1);
    fakeApi(cluster);
    const json = JSON.parse((await kdiag(['check', '-n', 'production', '-o', 'json', '--kubeconfig', testKubeconfig()])).stdout);
    const { dom, console, requests, file } = await openInChromium(stdout, 'check-html.png');
    expect(console).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).toString()]);
    expect(dom.scripts).toBe(0);
    expect(dom.headings).toEqual(['Summary', 'Findings', 'Traffic paths', 'NetworkPolicy reachability']);

    const errors = json.findings.filter((f: { severity: string }) => f.severity === 'error').length;
    expect(dom.counts).toContain(`${errors} errors`);
    expect(dom.findings).toHaveLength(json.findings.length);
    // Errors first: areas by their worst finding, and within an area the objects with errors first.
    const rank = (s: string) => ({ error: 3, warning: 2, info: 1 })[s as 'error'] ?? 0;
    const worst = dom.areas.map((a) => Math.max(...a.map(rank)));
    expect(worst).toEqual([...worst].sort((x, y) => y - x));
    expect(rank(dom.areas[0]![0]!)).toBe(3);
    const kd1001 = json.findings.find((f: { code: string }) => f.code === 'KD1001');
    expect(dom.findings.find((f) => f.code === 'KD1001')?.fix).toBe(kd1001.fix);
    expect(dom.cells.length).toBeGreaterThan(0);
    expect(dom.cells.every((c) => ['allowed', 'denied', 'port', 'unknown'].includes(c.verdict ?? ''))).toBe(true);
  }, 60_000);

  it('marks each cell with its verdict and the deciding policy (from the NetworkPolicy engine)', async () => {
    const snapshot = fixtureSnapshot(loadFixture('netpol-guide.yaml'));
    const ns = 'production';
    const html = htmlReport(
      {
        apiVersion: 'kdiag/v1',
        kind: 'CheckReport',
        context: 'fixture',
        namespace: ns,
        server: 'https://fixture',
        serverVersion: 'https://fixture (v1.35.0)',
        findings: [],
      },
      { ...snapshot, namespace: ns },
      new Date(0),
    );
    const { dom, console } = await openInChromium(html);
    expect(console).toEqual([]);
    expect(dom.cells.length).toBeGreaterThan(0);
    const denied = dom.cells.filter((c) => c.verdict === 'denied');
    for (const c of denied) expect(c.text).toMatch(/^denied(by .+)?/);
    const decided = dom.cells.filter((c) => c.text.includes('by '));
    expect(decided.length).toBeGreaterThan(0);
  }, 60_000);

  it('draws a traffic path per Ingress host and path, the first broken hop marked', async () => {
    const snapshot = fixtureSnapshot(loadFixture('trace.yaml'));
    const html = htmlReport({ apiVersion: 'kdiag/v1', kind: 'CheckReport', context: 'fixture', findings: [] }, snapshot, new Date(0));
    const { dom, console } = await openInChromium(html, 'check-html-paths.png');
    expect(console).toEqual([]);
    expect(dom.paths.length).toBeGreaterThan(0);
    for (const p of dom.paths) {
      const broken = p.hops.filter((h) => h.endsWith(':broken'));
      expect(broken.length).toBeLessThanOrEqual(1);
      // The marked hop is the first failed one.
      if (broken.length) expect(p.hops.findIndex((h) => h.includes(':fail'))).toBe(p.hops.indexOf(broken[0]!));
      expect(p.hops[0]).toMatch(/^load-balancer:/);
    }
    expect(dom.paths.some((p) => p.hops.some((h) => h.endsWith(':broken')))).toBe(true);
  }, 60_000);

  it('escapes every value from the cluster', async () => {
    const findings = HOSTILE_STRINGS.map((s) => ({
      code: 'KD1001',
      check: 'endpoints',
      severity: 'error' as const,
      object: { kind: 'Service', namespace: 'ns', name: s },
      message: s,
      cause: s,
      fix: s,
    }));
    const html = htmlReport({ apiVersion: 'kdiag/v1', kind: 'CheckReport', context: '<script>alert(1)</script>', findings }, undefined, new Date(0));
    const { dom, console, requests } = await openInChromium(html);
    expect(console).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(dom.scripts).toBe(0);
    expect(dom.findings.map((f) => f.fix).sort()).toEqual([...HOSTILE_STRINGS].sort());
    expect(escapeHtml('<a href="x">')).toBe('&lt;a href=&quot;x&quot;&gt;');
  }, 60_000);
});
