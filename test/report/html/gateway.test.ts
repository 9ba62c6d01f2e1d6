/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// `kdiag check -o html` through the real binary against the fake API, opened in headless
// Chromium: every Gateway listener's routes drawn as traffic paths (the hops of kdiag trace,
// the NetworkPolicy verdict on the edge into the Pods, the first broken hop marked), and the
// page audited: axe-core finds no WCAG A/AA violation, every interactive element is reached by
// Tab with a visible focus ring, every diagram has a text alternative, and it prints.
import { describe, expect, it } from '@jest/globals';
import { certFor, tlsSecret } from '../../checks/ingress-certs.js';
import { axeAudit, drawnPaths, screenshot, tabWalk, withPage } from '../../support/browser.js';
import { fakeApi, testKubeconfig } from '../../support/fake-api.js';
import { loadFixture, type K8sObject } from '../../support/fixtures.js';
import { kdiag, ROOT } from '../../support/run.js';

const NOW = new Date();
const apiCert = tlsSecret('infra', 'api-gw-cert', certFor(['api.example.com'], NOW, -30, 200.5)) as unknown as K8sObject;
const shopCert = tlsSecret('infra', 'shop-gw-cert', certFor(['shop.example.com'], NOW, -400, -3.5)) as unknown as K8sObject;
const cluster = [...loadFixture('production.yaml'), ...loadFixture('kube-system.yaml'), ...loadFixture('gateway.yaml'), apiCert, shopCert];

let page: string | undefined;
/** `kdiag check -n production -o html` once (the routes live in production, the Gateway in infra). */
async function report(): Promise<string> {
  if (page) return page;
  fakeApi(cluster);
  const r = await kdiag(['check', '-n', 'production', '-o', 'html', '--kubeconfig', testKubeconfig()]);
  expect(r.code).toBe(1);
  page = r.stdout;
  return page;
}

describe('kdiag check -o html: Gateway traffic paths', () => {
  it('draws every listener and route of Gateway infra/public, the first broken hop marked, policy verdicts on the edges', async () => {
    const html = await report();
    await withPage(html, async ({ page, errors, requests, file }) => {
      const paths = (await drawnPaths(page)).filter((p) => p.kind === 'gateway');
      await screenshot(page, ROOT, 'check-html-gateway-fixture.png');
      expect(errors).toEqual([]);
      expect(requests).toEqual([file]);
      const byTitle = (prefix: string) => paths.filter((p) => p.title.startsWith(prefix));
      // api-route (listener https): the /api/v1 rule splits 90/10 over two Services, each to its Pods.
      const v1 = paths.find((p) => p.url === 'https://api.example.com/api/v1')!;
      expect(v1.stopsAt).toBeNull();
      expect(v1.branches).toEqual(['Service production/api-v1-service', 'Service production/api-service']);
      expect(v1.hops.filter((h) => !h.startsWith('egress'))).toEqual([
        'load-balancer:ok',
        'gateway:ok',
        'tls:ok',
        'route:ok',
        'service:ok',
        'network-policy:ok:allowed',
        'endpoints:ok',
        'service:ok',
        'network-policy:ok:allowed',
        'endpoints:ok',
      ]);
      // The planted faults: each path stops where kdiag trace stops, and only that hop is marked.
      const stops = Object.fromEntries(paths.filter((p) => p.url).map((p) => [p.title, p.hops.filter((h) => h.endsWith(':broken'))]));
      const missing = byTitle('HTTPRoute production/missing-backend-route');
      expect(missing.length).toBeGreaterThan(0);
      for (const p of missing) expect(stops[p.title]).toEqual([expect.stringMatching(/^service:fail:broken$/)]);
      for (const p of byTitle('HTTPRoute production/hostname-route')) expect(stops[p.title]).toEqual(['route:fail:broken']);
      for (const p of byTitle('HTTPRoute production/zero-weight-route')) expect(stops[p.title]).toEqual(['route:fail:broken']);
      for (const p of byTitle('HTTPRoute production/cross-ns-route')) expect(stops[p.title]).toEqual(['service:fail:broken']);
      // Listener shop's certificate expired: its path stops at TLS although no route names it.
      const shop = paths.find((p) => p.url.startsWith('https://shop.example.com'))!;
      expect(shop.hops.filter((h) => h.endsWith(':broken'))).toEqual(['tls:fail:broken']);
      // Gateway orphan-gw names a GatewayClass that does not exist.
      const orphan = paths.filter((p) => p.hops.some((h) => h.startsWith('gateway:fail')));
      expect(orphan.length).toBeGreaterThan(0);
      for (const p of paths) {
        expect(p.hasCaption).toBe(true);
        const broken = p.hops.filter((h) => h.endsWith(':broken'));
        expect(broken.length).toBeLessThanOrEqual(1);
        if (broken.length) expect(p.hops.find((h) => h.split(':')[1] === 'fail')).toBe(broken[0]);
        if (p.url) expect(p.hops[0]).toMatch(/^load-balancer:/);
      }
      // The GRPCRoute is listed, not drawn, and says why.
      const grpc = (await drawnPaths(page)).filter((p) => p.title.startsWith('GRPCRoute'));
      expect(grpc.length).toBeGreaterThan(0);
      // The index links each path; the broken ones say where they stop.
      const index = await page.$$eval('#path-index tbody tr', (rows) =>
        rows.map((r) => ({ href: r.querySelector('a')?.getAttribute('href') ?? '', result: r.lastElementChild?.textContent ?? '' })),
      );
      expect(index).toHaveLength((await drawnPaths(page)).length);
      expect(index.every((r) => /^#path-\d+$/.test(r.href))).toBe(true);
      expect(index.some((r) => r.result.includes('stops at TLS'))).toBe(true);
    });
  }, 90_000);

  it('has no accessibility violation (axe-core, WCAG 2.x A and AA, best practices)', async () => {
    const html = await report();
    await withPage(
      html,
      async ({ page, errors }) => {
        const { violations, passes } = await axeAudit(page);
        expect(violations).toEqual([]);
        // The audit did look: contrast, landmarks, headings, list structure and names were checked.
        expect(passes).toEqual(
          expect.arrayContaining(['color-contrast', 'landmark-one-main', 'page-has-heading-one', 'list', 'html-has-lang', 'document-title']),
        );
        const headings = await page.$$eval('h1, h2, h3, h4', (hs) => hs.map((h) => Number(h.tagName[1])));
        // No level skipped on the way down.
        headings.forEach((level, i) => i > 0 && expect(level - headings[i - 1]!).toBeLessThanOrEqual(1));
        expect(await page.$$eval('header, main, footer', (els) => els.map((e) => e.tagName.toLowerCase()))).toEqual(['header', 'main', 'footer']);
        expect(errors).toEqual([]);
      },
      { javaScript: true },
    );
  }, 90_000);

  it('the audit and the keyboard walk do catch what they look for (a planted fault page)', async () => {
    const planted = `<!DOCTYPE html><html lang="en"><head><title>planted</title><style>a:focus{outline:none}</style></head><body><main><h1>x</h1>
<p style="color:#bbb;background:#fff">grey on white</p><svg role="img" width="10" height="10"><rect width="10" height="10"/></svg><a href="#x">link</a></main></body></html>`;
    await withPage(
      planted,
      async ({ page }) => {
        const ids = (await axeAudit(page)).violations.map((v) => v.id);
        expect(ids).toEqual(expect.arrayContaining(['color-contrast', 'svg-img-alt']));
      },
      { javaScript: true },
    );
    await withPage(planted, async ({ page }) => {
      const { stops } = await tabWalk(page);
      expect(stops.map((s) => [s.element, s.outlineVisible])).toEqual([['0:a:link', false]]);
    });
  }, 90_000);

  it('reaches every interactive element with Tab, each with a visible focus ring', async () => {
    const html = await report();
    await withPage(html, async ({ page }) => {
      const { stops, focusable } = await tabWalk(page);
      expect(focusable.length).toBeGreaterThan(10);
      expect(stops.map((s) => s.element).sort()).toEqual([...focusable].sort());
      expect(stops.filter((s) => !s.outlineVisible)).toEqual([]);
      // The first stop is the skip link, which then shows on screen.
      expect(stops[0]!.element).toBe('0:a:Skip to the findings');
    });
  }, 120_000);

  it('gives every diagram a text alternative that does not rely on colour', async () => {
    const html = await report();
    await withPage(html, async ({ page }) => {
      const texts = await page.$$eval('figure.traffic-path', (figs) =>
        figs.map((f) => ({
          caption: f.querySelector('figcaption')?.textContent ?? '',
          list: f.querySelector('ol.path')?.getAttribute('aria-label') ?? '',
          broken: f.querySelector('[data-broken]')?.querySelector('.status')?.textContent ?? '',
          stops: f.getAttribute('data-stops-at'),
        })),
      );
      for (const t of texts.filter((x) => x.list)) {
        expect(t.list).toMatch(/^Hops of .+, in order$/);
        if (t.stops) {
          expect(t.caption).toMatch(/stops at /);
          expect(t.broken).toMatch(/traffic stops here$/);
        } else expect(t.caption).toMatch(/every hop passes/);
      }
    });
  }, 90_000);

  it('prints: the diagrams keep their marks and are not split across pages', async () => {
    const html = await report();
    await withPage(html, async ({ page }) => {
      await page.emulateMedia({ media: 'print' });
      const style = await page.$eval('figure.traffic-path [data-broken]', (el) => {
        const s = getComputedStyle(el);
        const f = getComputedStyle(el.closest('figure')!);
        return { outline: s.outlineStyle, color: s.printColorAdjust, breakInside: f.breakInside };
      });
      expect(style).toEqual({ outline: 'solid', color: 'exact', breakInside: 'avoid' });
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    });
  }, 90_000);
});
