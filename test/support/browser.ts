/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The HTML report in Debian's headless Chromium (playwright-core, JavaScript off as a reader
// without it): what the page shows (traffic paths hop by hop, edges with their NetworkPolicy
// verdict), an accessibility audit by axe-core, a keyboard walk, and the print layout.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface PageSession {
  page: Page;
  file: string;
  /** Console errors and page errors seen so far. */
  errors: string[];
  /** Every URL the page requested. */
  requests: string[];
}

/** Opens `html` from a file in headless Chromium with JavaScript off, runs `use`, closes everything. */
export async function withPage<T>(
  html: string,
  use: (s: PageSession) => Promise<T>,
  { viewport = { width: 1200, height: 900 }, javaScript = false }: { viewport?: { width: number; height: number }; javaScript?: boolean } = {},
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    javaScriptEnabled: javaScript,
    viewport,
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).toString());
    return await use({ page, file: pathToFileURL(file).toString(), errors, requests });
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface DrawnPath {
  kind: string;
  url: string;
  title: string;
  stopsAt: string | null;
  /** `id:status[:broken]` in drawing order; a NetworkPolicy edge is `network-policy:status:verdict[:broken]`. */
  hops: string[];
  /** Backend branches (several weighted backends): the Service hop opening each. */
  branches: string[];
  hasCaption: boolean;
}

/** The traffic paths as drawn. */
export function drawnPaths(page: Page): Promise<DrawnPath[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('figure.traffic-path')].map((f) => {
      const cap = document.getElementById(f.getAttribute('aria-labelledby') ?? '');
      return {
        kind: f.getAttribute('data-kind') ?? '',
        url: f.getAttribute('data-url') ?? '',
        title: f.querySelector('figcaption strong')?.textContent ?? '',
        stopsAt: f.getAttribute('data-stops-at'),
        hops: [...f.querySelectorAll('li.hop, li.edge-policy')].map(
          (h) =>
            `${h.getAttribute('data-hop')}:${h.getAttribute('data-status')}${h.hasAttribute('data-verdict') ? `:${h.getAttribute('data-verdict')}` : ''}${h.getAttribute('data-broken') ? ':broken' : ''}`,
        ),
        branches: [...f.querySelectorAll('ol.branch')].map((b) => b.getAttribute('aria-label') ?? ''),
        hasCaption: Boolean(cap && cap.tagName === 'FIGCAPTION' && (cap.textContent ?? '').trim().length > 0),
      };
    }),
  );
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's audit of the page (open it with `javaScript: true`: axe runs on timers) (WCAG 2.0/2.1/2.2 A and AA and best practices); rules in `disable` off. */
export async function axeAudit(page: Page, disable: readonly string[] = []): Promise<{ violations: AxeViolation[]; passes: string[] }> {
  const require = createRequire(import.meta.url);
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol: the page's own Content-Security-Policy (no script) is not loosened.
  await page.evaluate(source);
  return page.evaluate(
    async (off: string[]) => {
      const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<AxeResults> } }).axe;
      interface AxeResults {
        violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
        passes: { id: string }[];
      }
      const r = await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
        rules: Object.fromEntries(off.map((id) => [id, { enabled: false }])),
        resultTypes: ['violations', 'passes'],
      });
      return {
        violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })),
        passes: r.passes.map((p) => p.id),
      };
    },
    [...disable],
  );
}

export interface FocusStop {
  element: string;
  /** The focus indicator: outline style and width while focused. */
  outline: string;
  outlineVisible: boolean;
}

/** Presses Tab until focus comes back round; returns each element focused, in order, and every focusable element. */
export async function tabWalk(page: Page, max = 400): Promise<{ stops: FocusStop[]; focusable: string[] }> {
  // Name every focusable element once (its tag, its number in document order and its text).
  const focusable = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')].map((el, i) => {
      const name = `${i}:${el.tagName.toLowerCase()}:${(el.textContent ?? '').trim().slice(0, 40)}`;
      el.setAttribute('data-focus-name', name);
      return name;
    }),
  );
  const current = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return undefined;
      const s = getComputedStyle(el);
      const visible = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
      return { element: el.getAttribute('data-focus-name') ?? el.tagName, outline: `${s.outlineStyle} ${s.outlineWidth}`, outlineVisible: visible };
    });
  const stops: FocusStop[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const d = await current();
    if (!d) {
      if (stops.length) break;
      continue;
    }
    if (stops.some((s) => s.element === d.element)) break;
    stops.push(d);
  }
  return { stops, focusable };
}

/** Saves a screenshot in build/test-artifacts/ (the whole page, or one element). */
export async function screenshot(page: Page, root: string, name: string, selector?: string): Promise<string> {
  const dir = join(root, 'build', 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  if (selector) await page.locator(selector).first().screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
  return path;
}
