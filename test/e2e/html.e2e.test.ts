/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// `kdiag check -o html` against the local cluster, opened in headless Chromium: the planted
// faults of namespace production are on the page, production's default-deny shows in the
// NetworkPolicy matrix, and opening the page sends no request. Screenshot: build/test-artifacts/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { axeAudit, drawnPaths, screenshot, withPage } from '../support/browser.js';
import { REPO_ROOT, runKdiag } from './support/cluster.js';

test('check -n production -o html: findings and the reachability matrix, offline', async () => {
  const r = await runKdiag(['check', '-n', 'production', '-o', 'html', '-q']);
  expect(r.code).toBe(1);
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-html-e2e-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, r.stdout);
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    javaScriptEnabled: false,
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
    viewport: { width: 1200, height: 900 },
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('request', (q) => requests.push(q.url()));
    await page.goto(pathToFileURL(file).toString());
    const dom = await page.evaluate(() => ({
      codes: [...document.querySelectorAll('article.finding')].map((a) => `${a.getAttribute('data-code')}`),
      paths: [...document.querySelectorAll('figure.traffic-path')].map((f) => ({
        url: f.getAttribute('data-url') ?? '',
        hops: [...f.querySelectorAll('li.hop')].map(
          (h) => `${h.getAttribute('data-hop')}:${h.getAttribute('data-status')}${h.getAttribute('data-broken') ? ':broken' : ''}`,
        ),
      })),
      cells: [...document.querySelectorAll('#reachability td.cell')].map((c) => ({
        to: c.getAttribute('data-to') ?? '',
        verdict: c.getAttribute('data-verdict'),
        text: c.textContent ?? '',
      })),
    }));
    mkdirSync(join(REPO_ROOT, 'build', 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, 'build', 'test-artifacts', 'check-html-e2e.png'), fullPage: true });
    // For the README (docs/img/): the top of the page, and the Ingress paths with their index.
    await page.screenshot({
      path: join(REPO_ROOT, 'build', 'test-artifacts', 'check-html.png'),
      fullPage: true,
      clip: { x: 50, y: 0, width: 1100, height: 1300 },
    });
    const top = await page.$eval('#paths', (h) => h.getBoundingClientRect().top + window.scrollY - 8);
    const end = await page.$eval('section.path-group', (s) => s.getBoundingClientRect().bottom + window.scrollY + 8);
    await page.screenshot({
      path: join(REPO_ROOT, 'build', 'test-artifacts', 'check-html-paths.png'),
      fullPage: true,
      clip: { x: 40, y: top, width: 1120, height: end - top },
    });
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).toString()]);
    expect(dom.codes).toEqual(expect.arrayContaining(['KD1001', 'KD1002', 'KD1006']));
    // api-ingress: /api/v1 passes every hop; /api/v2's Service selects no pod, so it stops at the Pods.
    const v1 = dom.paths.find((p) => p.url === 'https://api.example.com/api/v1')!;
    const v2 = dom.paths.find((p) => p.url === 'https://api.example.com/api/v2')!;
    expect(v1.hops.some((h) => h.endsWith(':broken'))).toBe(false);
    expect(v2.hops.filter((h) => h.endsWith(':broken'))).toEqual(['endpoints:fail:broken']);
    expect(v2.hops.slice(0, 2)).toEqual(['load-balancer:ok', 'controller:ok']);
    // production/default-deny-ingress isolates postgres: nothing without an allow rule reaches it.
    const toPostgres = dom.cells.filter((c) => c.to === 'production/postgres');
    expect(toPostgres.length).toBeGreaterThan(0);
    expect(toPostgres.every((c) => c.verdict === 'denied' && c.text.includes('production/default-deny-ingress'))).toBe(true);
  } finally {
    await context.close();
  }
});

// The real Traefik Gateway of cluster/scenario/traefik/ (Gateway edge-gw/edge, HTTPRoutes with
// planted faults, a backend in edge-shared): each route is drawn, and its first broken hop is
// the hop where `kdiag trace` of the same URL stops.
const GATEWAY_STOPS: [string, string | null][] = [
  ['https://www.gw.example.com/', null],
  ['http://plain.gw.example.com/', null],
  ['http://missing.gw.example.com/', 'service'], // Service ghost does not exist
  ['http://wrong-port.gw.example.com/', 'service'], // Service web has no port 8080
  ['http://empty.gw.example.com/', 'endpoints'], // Service empty selects no Pod
  ['http://shared.gw.example.com/', 'service'], // no ReferenceGrant in edge-shared
  ['http://rpc.gw.example.com/', 'route'], // listener grpc-only admits GRPCRoutes only
  ['https://old.gw.example.com/', 'tls'], // expired listener certificate
  ['https://wrong.gw.example.com/', 'tls'], // listener certificate for www, not wrong
];

test('check -n edge-gw -o html: every Gateway route drawn, broken where kdiag trace stops; accessible', async () => {
  const r = await runKdiag(['check', '-n', 'edge-gw', '-o', 'html', '-q']);
  expect(r.code).toBe(1);
  const traced = new Map<string, string | null>();
  for (const [url] of GATEWAY_STOPS) {
    const t = await runKdiag(['trace', url, '-o', 'json']);
    traced.set(url, (JSON.parse(t.stdout) as { stopsAt?: string | null }).stopsAt ?? null);
  }
  await withPage(r.stdout, async ({ page, errors, requests, file }) => {
    const paths = (await drawnPaths(page)).filter((p) => p.kind === 'gateway');
    await screenshot(page, REPO_ROOT, 'check-html-gateway-e2e.png');
    // For the README (docs/img/): the paths at a glance with the first drawn path, and the healthy www path.
    const top = await page.$eval('#paths', (h) => h.getBoundingClientRect().top + window.scrollY - 8);
    const first = await page.$eval('figure.traffic-path', (f) => f.getBoundingClientRect().bottom + window.scrollY + 8);
    await page.screenshot({
      path: join(REPO_ROOT, 'build', 'test-artifacts', 'check-html-gateway.png'),
      fullPage: true,
      clip: { x: 40, y: top, width: 1120, height: first - top },
    });
    await screenshot(page, REPO_ROOT, 'check-html-gateway-path.png', 'figure.traffic-path[data-url="https://www.gw.example.com/"]');
    expect(errors).toEqual([]);
    expect(requests).toEqual([file]);
    for (const [url, stop] of GATEWAY_STOPS) {
      const drawn = paths.find((p) => p.url === url);
      expect({ url, drawn: Boolean(drawn) }).toEqual({ url, drawn: true });
      const broken = drawn!.hops.filter((h) => h.endsWith(':broken'));
      expect({ url, broken, trace: traced.get(url) }).toEqual({ url, broken: stop ? [expect.stringMatching(new RegExp(`^${stop}:fail`))] : [], trace: stop });
      expect(drawn!.hops.slice(0, 2)).toEqual(['load-balancer:ok', 'gateway:ok']);
    }
    // The healthy routes: Traefik's Pod reaches web's Pods (no policy in edge-gw): the edge says allowed.
    const www = paths.find((p) => p.url === 'https://www.gw.example.com/')!;
    expect(www.hops).toEqual(expect.arrayContaining(['network-policy:ok:allowed', 'endpoints:ok']));
    expect(www.hops.indexOf('network-policy:ok:allowed')).toBe(www.hops.indexOf('endpoints:ok') - 1);
    const names = await page.$$eval('section.path-group h3, section.path-group h4', (hs) => hs.map((h) => h.textContent ?? ''));
    expect(names).toEqual(expect.arrayContaining(['Gateway edge-gw/edge', 'Listener grpc-only (HTTP 80, rpc.gw.example.com)']));
  });
  await withPage(
    r.stdout,
    async ({ page }) => {
      const { violations } = await axeAudit(page);
      expect(violations).toEqual([]);
    },
    { javaScript: true },
  );
});
