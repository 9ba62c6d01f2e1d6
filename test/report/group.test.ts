// Grouping, ordering, limits and the summary over findings like a big cluster's: hundreds of
// the same problem on generated objects, a few distinct ones among them.
import { describe, expect, it } from '@jest/globals';
import { causePattern, groupFindings, summarize } from '../../src/report/group.js';
import { renderFindings } from '../../src/report/render.js';
import { makeStyle } from '../../src/report/style.js';
import type { Finding, ObjectRef, Severity } from '../../src/report/types.js';

const pad = (i: number) => String(i).padStart(5, '0');
const nsOf = (i: number) => `kdiag-scale-${String(i % 100).padStart(3, '0')}`;

function f(code: string, check: string, severity: Severity, object: ObjectRef, message: string, cause: string, fix: string, root?: ObjectRef): Finding {
  return { code, check, severity, object, message: `${object.name}: ${message}`, cause, fix, ...(root ? { root } : {}) };
}

/** 501 Ingresses without address, 505 retired-controller infos, 103 selectors matching nothing, 3 distinct errors. */
function bigCluster(): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < 501; i++) {
    const ns = nsOf(i);
    const name = `ing-${pad(i)}`;
    out.push(
      f(
        'KD3006',
        'ingress',
        'error',
        { kind: 'Ingress', namespace: ns, name },
        'no address (status.loadBalancer is empty)',
        `status.loadBalancer.ingress of ${ns}/${name} is empty ${(i % 50) + 2}m after creation: the controller of class nginx has not admitted it.`,
        `kubectl -n ${ns} describe ingress ${name}`,
      ),
    );
  }
  for (let i = 0; i < 505; i++) {
    const ns = nsOf(i);
    out.push(
      f(
        'KD7030',
        'gateway',
        'info',
        { kind: 'Ingress', namespace: ns, name: `ing-${pad(i)}` },
        'served by ingress-nginx (class nginx), a retired controller',
        'IngressClass nginx names controller k8s.io/ingress-nginx.',
        'Plan the move to the Gateway API.',
      ),
    );
  }
  for (let i = 0; i < 103; i++) {
    const ns = nsOf(i * 7);
    const name = `svc-${pad(i * 50)}`;
    out.push(
      f(
        'KD1001',
        'endpoints',
        'error',
        { kind: 'Service', namespace: ns, name },
        `selector app=${name}-nomatch matches no pod`,
        `No Pod in namespace ${ns} has the labels app=${name}-nomatch.`,
        `kubectl -n ${ns} get pods --show-labels`,
      ),
    );
  }
  out.push(
    f(
      'KD1001',
      'endpoints',
      'error',
      { kind: 'Service', namespace: 'checkout', name: 'cart' },
      'selector app=kart matches no pod',
      'No Pod in namespace checkout has the labels app=kart; pods with the same keys: app=cart (2 pods).',
      'kubectl -n checkout patch service cart -p …',
    ),
  );
  out.push(
    f(
      'KD2002',
      'service-types',
      'error',
      { kind: 'Service', namespace: 'ingress-nginx', name: 'ingress-nginx-controller' },
      'LoadBalancer has no external address (pending)',
      'No load balancer controller has written status.loadBalancer.',
      'Install a load balancer controller.',
    ),
  );
  out.push(
    f(
      'KD4009',
      'netpol',
      'warning',
      { kind: 'Ingress', namespace: 'shop', name: 'web' },
      'the ingress controller cannot reach backend web:80',
      'Policy deny-all in shop denies it.',
      'Allow the controller namespace.',
    ),
  );
  return out;
}

describe('grouping findings', () => {
  it('blanks the object, namespace and numbers in a cause, keeping what is shared', () => {
    const [a, b] = bigCluster();
    expect(causePattern(a!)).toBe(causePattern(b!));
    expect(causePattern(a!)).toContain('the controller of class nginx has not admitted it');
  });

  it('turns hundreds of repeated findings into one entry per code and cause pattern', () => {
    const findings = bigCluster();
    const groups = groupFindings(findings);
    const sizes = groups.map((g) => `${g.severity}:${g.code}:${g.findings.length}`);
    expect(sizes).toEqual(['error:KD1001:1', 'error:KD1001:103', 'error:KD2002:1', 'error:KD3006:501', 'warning:KD4009:1', 'info:KD7030:505']);
    // Every finding is in exactly one group.
    expect(groups.reduce((n, g) => n + g.findings.length, 0)).toBe(findings.length);
    const ingresses = groups.find((g) => g.code === 'KD3006')!;
    expect(ingresses.sameCause).toBe(false);
    expect(ingresses.findings[0]!.object).toEqual({ kind: 'Ingress', namespace: 'kdiag-scale-000', name: 'ing-00000' });
    expect(groups.find((g) => g.code === 'KD7030')!.sameCause).toBe(true);
  });

  it('groups by a shared root object when the rule named one, whatever the cause text', () => {
    const root = { kind: 'Service', namespace: 'ingress-nginx', name: 'ingress-nginx-controller' };
    const findings = Array.from({ length: 300 }, (_, i) =>
      f(
        'KD3006',
        'ingress',
        'error',
        { kind: 'Ingress', namespace: `team-${i % 9}`, name: `web-${i}` },
        'no address',
        i % 2 ? `cause variant A ${i}` : `another wording entirely ${i}`,
        'look at the controller Service',
        root,
      ),
    );
    const groups = groupFindings(findings);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.root).toEqual(root);
    const text = renderFindings(findings, makeStyle(false));
    expect(text).toContain('ERROR   KD3006  300 Ingresses: no address, all from Service ingress-nginx/ingress-nginx-controller');
  });

  it('keeps the order: severity, then code, then the first object', () => {
    const groups = groupFindings([...bigCluster()].reverse());
    expect(groups.map((g) => g.code)).toEqual(['KD1001', 'KD1001', 'KD2002', 'KD3006', 'KD4009', 'KD7030']);
    expect(groups[0]!.findings[0]!.object.namespace).toBe('checkout');
  });

  it('counts by severity per check and per namespace, worst namespace first', () => {
    const s = summarize(bigCluster());
    expect(s.total).toEqual({ error: 606, warning: 1, info: 505 });
    expect(s.byCheck.map((c) => c.check)).toEqual(['endpoints', 'gateway', 'ingress', 'netpol', 'service-types']);
    expect(s.byCheck.find((c) => c.check === 'ingress')!.counts).toEqual({ error: 501, warning: 0, info: 0 });
    expect(s.byNamespace).toHaveLength(103);
    expect(s.byNamespace[0]!.counts.error).toBeGreaterThanOrEqual(s.byNamespace[1]!.counts.error);
  });
});

describe('rendering grouped findings', () => {
  const style = makeStyle(false);

  it('fits a big cluster on a few screens: summary first and last, groups with a count, objects compact', () => {
    const findings = bigCluster();
    const text = renderFindings(findings, style, { maxEntries: 30 });
    const lines = text.split('\n');
    expect(lines.length).toBeLessThan(80);
    expect(lines[0]).toBe('SUMMARY: 606 errors, 1 warning, 505 info (1112 findings in 6 entries)');
    expect(text).toMatch(/^CHECK\s+ERRORS\s+WARNINGS\s+INFO$/m);
    expect(text).toMatch(/^\(98 more namespaces\)/m);
    // The same message on every object is shown as is; differing messages give the code's title.
    expect(text).toContain('ERROR   KD3006  501 Ingresses: no address (status.loadBalancer is empty)');
    expect(text).toContain('ERROR   KD1001  103 Services: Service selector matches no Pod');
    expect(text).toContain(
      '          objects: kdiag-scale-000/ing-00000, kdiag-scale-000/ing-00100, kdiag-scale-000/ing-00200, kdiag-scale-000/ing-00300, kdiag-scale-000/ing-00400 and 496 more (--all-objects lists them)',
    );
    // Causes differ in the age: the example says whose it is.
    expect(text).toContain(
      '          cause: (e.g. Ingress kdiag-scale-000/ing-00000) status.loadBalancer.ingress of kdiag-scale-000/ing-00000 is empty 2m after creation',
    );
    // Info is one line.
    expect(text).toMatch(
      /^INFO {4}KD7030 {2}505 Ingresses: served by ingress-nginx \(class nginx\), a retired controller \(kdiag-scale-000\/ing-00000, .* and 500 more \(--all-objects lists them\)\)$/m,
    );
    expect(text).not.toContain('Plan the move to the Gateway API');
    // A single finding keeps the one-finding shape.
    expect(text).toContain('ERROR   KD1001  Service checkout/cart: selector app=kart matches no pod\n          cause: No Pod in namespace checkout');
    // The last screen answers too.
    expect(lines.filter((l) => l.startsWith('SUMMARY')).length).toBe(2);
    expect(lines.at(-1)).toBe('606 error(s), 1 warning(s), 505 info');
  });

  it('prints info in full with --details, and every object with --all-objects', () => {
    const findings = bigCluster();
    const detailed = renderFindings(findings, style, { details: true, allObjects: true });
    expect(detailed).toContain('          fix:   Plan the move to the Gateway API.');
    for (const f of findings) expect(detailed).toContain(`${f.object.namespace}/${f.object.name}`);
    // Long object lists wrap under their label.
    const listLines = detailed.split('\n').filter((l) => /^ +(objects: )?kdiag-scale-/.test(l));
    expect(listLines.length).toBeGreaterThan(20);
    for (const line of listLines) expect(line.length).toBeLessThanOrEqual(120);
  });

  it('stops at --max-findings entries and says how many were left out and how to see them', () => {
    const findings = bigCluster();
    const text = renderFindings(findings, style, { maxEntries: 2 });
    expect(text).toContain(
      '... 4 more entries (502 errors, 1 warning, 505 info; 1008 findings) not shown: --max-findings 0 shows every entry, -o json every finding.',
    );
    expect(text).not.toContain('KD4009');
    expect(renderFindings(findings, style, { maxEntries: 0 })).toContain('KD4009');
  });

  it('keeps the short shape for a few findings: no summary block, the count line last', () => {
    const few = bigCluster().slice(-3);
    const text = renderFindings(few, style);
    expect(text).not.toContain('SUMMARY');
    expect(text.split('\n').at(-1)).toBe('2 error(s), 1 warning(s), 0 info');
  });

  it('groups the same problem whatever generated names the causes hold, and shows one line of an example manifest', () => {
    const single = (ns: string, name: string, pod: string) =>
      f(
        'KD1008',
        'endpoints',
        'warning',
        { kind: 'Service', namespace: ns, name },
        'only one ready endpoint',
        `Service ${ns}/${name} has one ready endpoint (${pod}); if that Pod restarts, the Service has none.`,
        `Run two replicas:\nkubectl -n ${ns} scale deployment/${name} --replicas=2\n# then add a PodDisruptionBudget`,
      );
    const findings = [
      single('kube-system', 'kube-dns', 'coredns-6bd749444d-h9zmx'),
      single('traefik', 'traefik', 'traefik-6b59b474cd-skrz5'),
      single('default', 'kubernetes', '192.0.2.2'),
    ];
    expect(groupFindings(findings)).toHaveLength(1);
    const text = renderFindings(findings, style);
    expect(text).toContain('WARNING KD1008  3 Services: only one ready endpoint');
    expect(text).toContain(
      "          fix:   (e.g. Service default/kubernetes) Run two replicas: [2 more lines: --details prints them; -o json has each object's fix]",
    );
    expect(renderFindings(findings, style, { details: true })).toContain('kubectl -n default scale deployment/kubernetes --replicas=2');
  });

  it('folds multi-line fixes to their first line when the entries run past a few screens, and keeps them in a short report', () => {
    const manifestFix = (name: string) =>
      `Create the EndpointSlice by hand:\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ${name}-manual`;
    const distinct = (i: number) =>
      f(
        `KD${9000 + i}`,
        'endpoints',
        'error',
        { kind: 'Service', namespace: `team-${i}`, name: `db${'x'.repeat(i)}` },
        'no selector and no EndpointSlices',
        `Service team-${i} has no selector.`,
        manifestFix(`db-${i}`),
      );
    // A short report (one namespace's few findings): every manifest line in place.
    const few = renderFindings([distinct(1), distinct(2)], style);
    expect(few).toContain('                 kind: EndpointSlice');
    // Forty distinct entries of five lines' fix each: well past FOLD_FIXES_FROM_LINES.
    const many = Array.from({ length: 40 }, (_, i) => distinct(i + 1));
    const text = renderFindings(many, style, { maxEntries: 0 });
    expect(text).not.toContain('kind: EndpointSlice');
    expect(text).toContain('          fix:   Create the EndpointSlice by hand: [4 more lines: --details prints them]');
    expect(text.split('\n').length).toBeLessThan(40 * 3 + 30);
    // --details prints every line again.
    expect(renderFindings(many, style, { maxEntries: 0, details: true })).toContain('                 kind: EndpointSlice');
  });

  it('strips control sequences from names in grouped entries', () => {
    const evil = Array.from({ length: 20 }, (_, i) =>
      f('KD1001', 'endpoints', 'error', { kind: 'Service', namespace: 'x', name: `s\u001b[31m${i}` }, 'm', 'c', 'fx'),
    );
    // eslint-disable-next-line no-control-regex
    expect(renderFindings(evil, style)).not.toMatch(/\u001b/);
  });
});
