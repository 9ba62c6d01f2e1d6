// `kdiag check -o html`: one self-contained page (no script, no stylesheet or font from another
// host; readable without JavaScript and printable). Every value from the cluster is escaped.
import type { Finding, Report, Severity } from '../types.js';
import { sortFindings } from '../types.js';

/** The NetworkPolicy matrix as plain data (built by src/netpol/matrix.ts). */
export interface HtmlMatrix {
  namespaces: string[];
  workloads: string[];
  cells: { verdict: 'allowed' | 'denied' | 'port' | 'unknown'; ports: string[]; policies: string[] }[][];
}

export type HtmlHopStatus = 'ok' | 'fail' | 'warn' | 'info' | 'skipped';

/** One traffic path (an Ingress host and path, or a Gateway listener's route rule) as hops, from src/trace and src/gateway/trace.ts. */
export interface HtmlPath {
  kind?: 'ingress' | 'gateway';
  /** Heading the path is drawn under (`Gateway ns/name`; Ingress paths: `Ingress`). */
  group?: string;
  /** Sub-heading (a Gateway listener). */
  subgroup?: string;
  title: string;
  url: string;
  hops: { id: string; title: string; status: HtmlHopStatus; detail: string; explanation?: string; items?: { status: HtmlHopStatus; text: string }[] }[];
  /** The first broken hop's id. */
  stopsAt?: string;
  /** Why the path has no hops (not traced). */
  note?: string;
}

export interface HtmlInput {
  paths?: HtmlPath[];
  report: Report & {
    server?: string;
    serverVersion?: string | null;
    context?: string;
    checks?: { id: string; title: string; status: string; errors: number; warnings: number; durationMs: number }[];
  };
  generatedAt: Date;
  matrix?: HtmlMatrix;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const e = escapeHtml;
const SEVERITY_LABEL: Record<Severity, string> = { error: 'Error', warning: 'Warning', info: 'Info' };
const VERDICT_LABEL = { allowed: 'allowed', denied: 'denied', port: 'depends on port', unknown: 'unknown' } as const;

const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--err:#a40e26;--err-bg:#ffebe9;--warn:#7d4e00;--warn-bg:#fff8c5;--info:#0a3069;--info-bg:#ddf4ff;--ok:#116329;--ok-bg:#dafbe1;--line:#d0d7de}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1100px;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
.sev{display:inline-block;font-weight:600;border-radius:.3rem;padding:0 .4rem}.sev-error{color:var(--err);background:var(--err-bg)}.sev-warning{color:var(--warn);background:var(--warn-bg)}.sev-info{color:var(--info);background:var(--info-bg)}
.finding{border:1px solid var(--line);border-left:.35rem solid var(--line);border-radius:.3rem;padding:.5rem .8rem;margin:.5rem 0;break-inside:avoid}
.finding.sev-error-box{border-left-color:var(--err)}.finding.sev-warning-box{border-left-color:#bf8700}.finding.sev-info-box{border-left-color:#0969da}
.finding p{margin:.3rem 0}.code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--muted)}
pre.fix{background:#f6f8fa;border:1px solid var(--line);padding:.5rem;overflow-x:auto;white-space:pre-wrap;user-select:all;margin:.3rem 0}
td.v-allowed{background:var(--ok-bg);color:var(--ok)}td.v-denied{background:var(--err-bg);color:var(--err)}td.v-port{background:var(--warn-bg);color:var(--warn)}td.v-unknown{background:#eaeef2}
td.cell small{display:block;color:var(--muted)}
ol.path{list-style:none;display:flex;flex-wrap:wrap;align-items:flex-start;gap:.6rem 0;padding:0;margin:.5rem 0}
ol.path>li{border:2px solid var(--line);border-radius:.4rem;padding:.4rem .6rem;max-width:15rem;background:#fff;position:relative;margin-left:1.9rem;break-inside:avoid}
ol.path>li:first-child{margin-left:0}
ol.path>li:not(:first-child)::before{content:"→";position:absolute;left:-1.65rem;top:1.6rem;font-size:1.2rem;color:var(--muted)}
ol.path>li.hop-ok{border-color:#1a7f37}ol.path>li.hop-warn{border-color:#bf8700}ol.path>li.hop-fail{border-color:var(--err);background:var(--err-bg)}ol.path>li.hop-skipped{border-style:dashed;color:var(--muted)}ol.path>li.hop-info{border-color:#0969da}
ol.path>li.edge-policy{border-radius:1rem;border-style:dashed;max-width:12rem;font-size:.9rem}
ol.path>li.edge-policy.hop-ok{background:var(--ok-bg)}ol.path>li.edge-policy.hop-info{background:var(--info-bg)}
ol.path>li.edge-policy::after{content:"→";position:absolute;right:-1.65rem;top:1.6rem;font-size:1.2rem;color:var(--muted)}
ol.path>li.edge-policy+li::before{content:none}
ol.path>li.broken{outline:3px solid var(--err);outline-offset:2px}
ol.path .status{font-weight:600;display:block}ol.path small{display:block;color:var(--muted)}ol.path li.hop-fail small{color:#4c2a2e}
ol.path small.why{margin-top:.3rem;color:var(--fg)}
ul.items{margin:.3rem 0 0;padding-left:1rem;font-size:.85rem}ul.items li{overflow-wrap:anywhere}
li.fork{max-width:none!important;flex:1 1 100%;margin-left:0!important}li.fork::before{content:none!important}ul.branches{list-style:none;padding:0;margin:.3rem 0 0}
figure.traffic-path{margin:1rem 0;padding:.5rem .8rem;border:1px solid var(--line);border-radius:.4rem;break-inside:avoid}figure.traffic-path figcaption code{overflow-wrap:anywhere}
.result-fail{color:var(--err);font-weight:600}.result-ok{color:var(--ok)}.result-warn{color:var(--warn)}.result-info{color:var(--info)}
h4{font-size:.98rem;margin:1rem 0 .3rem}small.via{display:block;color:var(--muted)}
a{color:#0969da}a:focus,summary:focus,[tabindex]:focus{outline:3px solid #0969da;outline-offset:2px}
.scroll{overflow-x:auto}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.3rem}
@media print{*{-webkit-print-color-adjust:exact;print-color-adjust:exact}body{max-width:none;padding:0;font-size:11pt}figure.traffic-path,ol.path>li{break-inside:avoid}.skip{display:none}pre.fix{white-space:pre-wrap}h2{break-after:avoid}}
`;

function summary(input: HtmlInput): string {
  const { report } = input;
  const count = (s: Severity) => report.findings.filter((f) => f.severity === s).length;
  const areas = [...new Set(report.findings.map((f) => f.check))].sort();
  const version = typeof report.serverVersion === 'string' ? (/\((v[^)]+)\)\s*$/.exec(report.serverVersion)?.[1] ?? report.serverVersion) : 'unknown';
  const byArea = areas
    .map(
      (a) =>
        `<tr><th scope="row">${e(a)}</th>${(['error', 'warning', 'info'] as const).map((s) => `<td>${report.findings.filter((f) => f.check === a && f.severity === s).length}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<section aria-labelledby="summary"><h2 id="summary">Summary</h2>
<dl class="meta"><dt>Cluster</dt><dd>${e(String(report.server ?? 'unknown'))}</dd><dt>Context</dt><dd>${e(String(report.context ?? ''))}</dd><dt>Kubernetes</dt><dd>${e(version)}</dd><dt>Namespace</dt><dd>${e(report.namespace ? String(report.namespace) : 'all namespaces')}</dd><dt>Generated</dt><dd><time datetime="${input.generatedAt.toISOString()}">${e(input.generatedAt.toISOString())}</time></dd></dl>
<p id="counts"><span class="sev sev-error">${count('error')} errors</span> <span class="sev sev-warning">${count('warning')} warnings</span> <span class="sev sev-info">${count('info')} info</span></p>
${areas.length ? `<table aria-label="Findings by area and severity"><thead><tr><th scope="col">Area</th><th scope="col">Errors</th><th scope="col">Warnings</th><th scope="col">Info</th></tr></thead><tbody>${byArea}</tbody></table>` : '<p>No findings.</p>'}
</section>`;
}

function findingHtml(f: Finding): string {
  return `<article class="finding sev-${f.severity}-box" data-code="${e(f.code)}" data-severity="${f.severity}">
<p><span class="sev sev-${f.severity}">${SEVERITY_LABEL[f.severity]}</span> <span class="code">${e(f.code)}</span> ${e(f.message)}</p>
<p><strong>Cause:</strong> ${e(f.cause)}</p>
<p><strong>Fix:</strong></p><pre class="fix" tabindex="0" aria-label="Fix for ${e(f.code)} (select to copy)">${e(f.fix)}</pre>
</article>`;
}

function findingsSection(findings: readonly Finding[]): string {
  const sorted = sortFindings(findings);
  const areas = [...new Set(sorted.map((f) => f.check))];
  // Areas with errors first, then by their worst finding's order.
  const parts = areas.map((area) => {
    const inArea = sorted.filter((f) => f.check === area);
    const objects = [...new Set(inArea.map((f) => `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`))];
    const body = objects
      .map(
        (o) =>
          `<h4>${e(o)}</h4>${inArea
            .filter((f) => `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}` === o)
            .map(findingHtml)
            .join('\n')}`,
      )
      .join('\n');
    return `<section class="area" id="area-${e(area)}" aria-labelledby="h-area-${e(area)}"><h3 id="h-area-${e(area)}">${e(area)} <small>(${inArea.length})</small></h3>\n${body}</section>`;
  });
  return `<section aria-labelledby="findings"><h2 id="findings">Findings</h2>${parts.length ? parts.join('\n') : '<p>No findings.</p>'}</section>`;
}

const HOP_STATUS = { ok: 'passes', fail: 'broken', warn: 'warning', info: 'note', skipped: 'not reached' } as const;
/** A sign besides the colour for each status (WCAG 1.4.1: colour is not the only cue). */
const HOP_SIGN = { ok: '✓', fail: '✗', warn: '!', info: 'i', skipped: '–' } as const;
const POLICY_VERDICT = { ok: 'allowed', fail: 'denied', warn: 'allowed', info: 'undecided', skipped: 'not reached' } as const;

type PathHop = HtmlPath['hops'][number];

function hopItems(h: PathHop): string {
  if (!h.items?.length) return '';
  const shown = h.items.slice(0, 6);
  const more = h.items.length - shown.length;
  return `<ul class="items">${shown.map((i) => `<li class="item-${i.status}"><span aria-hidden="true">${HOP_SIGN[i.status]}</span> ${e(i.text)}</li>`).join('')}${more > 0 ? `<li>… ${more} more</li>` : ''}</ul>`;
}

/** A hop as a box; a NetworkPolicy hop as the labelled edge into the Pods it admits traffic to. */
function hopHtml(h: PathHop, broken: boolean): string {
  const mark = broken ? ' data-broken="true" aria-current="step"' : '';
  const stop = broken ? ' — traffic stops here' : '';
  const why = h.explanation && broken ? `<small class="why">${e(h.explanation)}</small>` : '';
  if (h.id === 'network-policy') {
    const verdict = POLICY_VERDICT[h.status];
    return `<li class="edge edge-policy hop-${h.status}${broken ? ' broken' : ''}" data-hop="network-policy" data-status="${h.status}" data-verdict="${verdict}"${mark}><span class="status"><span aria-hidden="true">${HOP_SIGN[h.status]}</span> NetworkPolicy: ${verdict}${stop}</span><small>${e(h.detail)}</small>${why}</li>`;
  }
  return `<li class="hop hop-${h.status}${broken ? ' broken' : ''}" data-hop="${e(h.id)}" data-status="${h.status}"${mark}><span class="status"><span aria-hidden="true">${HOP_SIGN[h.status]}</span> ${e(h.title)}: ${HOP_STATUS[h.status]}${stop}</span><small>${e(h.detail)}</small>${why}${hopItems(h)}</li>`;
}

/**
 * The hops in drawing order: the NetworkPolicy verdict (data plane → a backend Pod) moves onto
 * the edge into the Pods; hops after the route split per backend Service when there are several.
 */
function pathBody(p: HtmlPath): string {
  const firstFail = p.hops.findIndex((h) => h.status === 'fail');
  const indexed = p.hops.map((h, i) => ({ h, broken: i === firstFail }));
  for (let i = 1; i < indexed.length; i++) {
    if (indexed[i]!.h.id === 'network-policy' && indexed[i - 1]!.h.id === 'endpoints') [indexed[i - 1], indexed[i]] = [indexed[i]!, indexed[i - 1]!];
  }
  const draw = (xs: typeof indexed) => xs.map((x) => hopHtml(x.h, x.broken)).join('');
  const firstBackend = indexed.findIndex((x) => x.h.id === 'service');
  const starts = indexed.flatMap((x, i) => (x.h.id === 'service' ? [i] : []));
  if (starts.length < 2) return draw(indexed);
  const branches = starts.map((s, k) => indexed.slice(s, starts[k + 1] ?? indexed.length));
  const forks = branches.map((b) => `<li><ol class="path branch" aria-label="${e(b[0]!.h.title)}">${draw(b)}</ol></li>`).join('');
  return `${draw(indexed.slice(0, firstBackend))}<li class="fork" data-hop="backends"><span class="status">${branches.length} backends, each with its share of the traffic</span><ul class="branches">${forks}</ul></li>`;
}

function pathResult(p: HtmlPath): { text: string; status: HtmlHopStatus } {
  if (p.note) return { text: p.note, status: 'info' };
  const stop = p.hops.find((h) => h.status === 'fail');
  if (stop) return { text: `stops at ${stop.title}`, status: 'fail' };
  return p.hops.some((h) => h.status === 'warn') ? { text: 'every hop passes, with warnings', status: 'warn' } : { text: 'every hop passes', status: 'ok' };
}

function pathFigure(p: HtmlPath, i: number): string {
  const result = pathResult(p);
  const kind = p.kind ?? 'ingress';
  const stop = p.hops.find((h) => h.status === 'fail');
  const caption = `<figcaption id="path-${i}-cap"><strong>${e(p.title)}</strong>${p.url ? ` <code>${e(p.url)}</code>` : ''}: <span class="result result-${result.status}">${e(result.text)}</span></figcaption>`;
  const body = p.hops.length ? `<ol class="path" aria-label="Hops of ${e(p.url || p.title)}, in order">${pathBody(p)}</ol>` : '';
  return `<figure class="traffic-path" id="path-${i}" data-kind="${kind}" data-url="${e(p.url)}"${stop ? ` data-stops-at="${e(stop.id)}"` : ''} aria-labelledby="path-${i}-cap">${caption}${body}</figure>`;
}

function pathIndex(paths: readonly HtmlPath[]): string {
  const rows = paths
    .map((p, i) => {
      const r = pathResult(p);
      return `<tr><td><a href="#path-${i}">${e(p.title)}</a></td><td>${e(p.group ?? 'Ingress')}${p.subgroup ? `<small class="via">${e(p.subgroup)}</small>` : ''}</td><td class="result result-${r.status}"><span aria-hidden="true">${HOP_SIGN[r.status]}</span> ${e(r.text)}</td></tr>`;
    })
    .join('');
  return `<table id="path-index" aria-label="Traffic paths at a glance"><thead><tr><th scope="col">Path</th><th scope="col">Through</th><th scope="col">Result</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function pathsSection(paths: readonly HtmlPath[]): string {
  if (paths.length === 0) return '<section aria-labelledby="paths"><h2 id="paths">Traffic paths</h2><p>No Ingress and no Gateway in scope.</p></section>';
  const groups = new Map<string, Map<string, { p: HtmlPath; i: number }[]>>();
  paths.forEach((p, i) => {
    const g = p.group ?? 'Ingress';
    const sub = groups.get(g) ?? new Map<string, { p: HtmlPath; i: number }[]>();
    groups.set(g, sub);
    sub.set(p.subgroup ?? '', [...(sub.get(p.subgroup ?? '') ?? []), { p, i }]);
  });
  let n = 0;
  const parts = [...groups].map(([group, subs]) => {
    const id = `paths-${n++}`;
    const inner = [...subs].map(([sub, items]) => `${sub ? `<h4>${e(sub)}</h4>` : ''}${items.map(({ p, i }) => pathFigure(p, i)).join('\n')}`).join('\n');
    return `<section class="path-group" aria-labelledby="${id}"><h3 id="${id}">${e(group)}</h3>${inner}</section>`;
  });
  return `<section aria-labelledby="paths"><h2 id="paths">Traffic paths</h2>
<p>Each path is the hops of <code>kdiag trace</code> for one URL, left to right: a box per hop (✓ passes, ✗ broken, ! warning, i note), the NetworkPolicy verdict on the edge into the Pods, and the first broken hop outlined with “traffic stops here”.</p>
${pathIndex(paths)}
${parts.join('\n')}</section>`;
}

function matrixSection(m: HtmlMatrix): string {
  if (m.workloads.length === 0)
    return `<section aria-labelledby="matrix"><h2 id="matrix">NetworkPolicy reachability</h2><p>No pods in ${e(m.namespaces.join(', '))}.</p></section>`;
  const head = m.workloads.map((w) => `<th scope="col">${e(w)}</th>`).join('');
  const rows = m.workloads
    .map((from, i) => {
      const cells = m.cells[i]!.map((c, j) => {
        const title = `${from} → ${m.workloads[j]}: ${VERDICT_LABEL[c.verdict]}`;
        return `<td class="cell v-${c.verdict}" data-verdict="${c.verdict}" data-from="${e(from)}" data-to="${e(m.workloads[j]!)}" title="${e(title)}">${VERDICT_LABEL[c.verdict]}${c.policies.length ? `<small>by ${e(c.policies.join(', '))}</small>` : ''}${c.verdict === 'port' ? `<small>${e(c.ports.join('; '))}</small>` : ''}</td>`;
      }).join('');
      return `<tr><th scope="row">${e(from)}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<section aria-labelledby="matrix"><h2 id="matrix">NetworkPolicy reachability</h2>
<p>Rows are sources, columns destinations (each workload's first pod, on the destination's declared ports). A cell names the policies that decided it.</p>
<div class="scroll" tabindex="0" role="region" aria-label="NetworkPolicy reachability (scrolls sideways)"><table id="reachability" aria-label="NetworkPolicy reachability, sources by destinations"><thead><tr><th scope="col">from \\ to</th>${head}</tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

export function renderHtml(input: HtmlInput): string {
  const title = `kdiag check: ${input.report.context ?? ''}${input.report.namespace ? ` / ${input.report.namespace}` : ''}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${e(title)}</title><style>${CSS}</style></head>
<body><a class="skip" href="#findings">Skip to the findings</a>
<header><h1>${e(title)}</h1></header>
<main>
${summary(input)}
${findingsSection(input.report.findings)}
${input.paths ? pathsSection(input.paths) : ''}
${input.matrix ? matrixSection(input.matrix) : ''}
</main>
<footer><p><small>Generated by kdiag. The same data as <code>kdiag check -o json</code>.</small></p></footer>
</body></html>
`;
}
