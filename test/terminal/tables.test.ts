// The list tables at a terminal of 80 and 120 columns: every table line fits the pane, and
// wrapping never splits an IP address, a name, a port item or a code (the terminal itself never
// has to wrap a table row). The same commands piped (no terminal, no COLUMNS) print whole rows:
// addresses, codes and the first two columns (namespace, name) must appear intact on the
// screen; at 120 columns every token of the default tables too. Only at 80 columns, and only
// when wrapping between tokens cannot fit, other columns are cut with an ellipsis. The 80-column screens of
// services, ingress, gateway and dataplane are kept as reviewed text (UPDATE_SCREENS=1).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeApiServer, type FakeApiServer } from '../support/fake-api-server.js';
import type { K8sObject } from '../support/fixtures.js';
import { kdiagLine, runInPty, type PtyResult } from '../support/pty.js';
import { kdiagBinary, ROOT } from '../support/run.js';
import { breakPieces } from '../../src/report/table.js';
import { fakeCluster, normaliseScreen, pool } from './support.js';

const SCREENS = join(ROOT, 'test', 'fixtures', 'screens');

/** Nodes with cloud-style names, their kube-proxy and Calico pods: a wide dataplane table. */
function nodes(): K8sObject[] {
  const names = ['ip-10-0-112-34.eu-west-1.compute.internal', 'ip-10-0-113-201.eu-west-1.compute.internal', 'ip-10-0-7-9.eu-west-1.compute.internal'];
  const pod = (name: string, node: string, labels: Record<string, string>): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system', labels },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }],
    },
  });
  return names.flatMap((name, i) => [
    { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    pod(`kube-proxy-${i}abcd`, name, { 'k8s-app': 'kube-proxy' }),
    pod(`calico-node-${i}wxyz`, name, { 'k8s-app': 'calico-node' }),
  ]);
}

/** The list commands, cluster-wide (the widest rows), and two in -o wide. */
const COMMANDS: Record<string, string[]> = {
  endpoints: ['endpoints', '-A'],
  'endpoints-wide': ['endpoints', '-A', '-o', 'wide'],
  services: ['services', '-A'],
  'services-wide': ['services', '-A', '-o', 'wide'],
  ingress: ['ingress', '-A'],
  netpol: ['netpol', '-A'],
  gateway: ['gateway', '-A'],
  dataplane: ['dataplane'],
};
/** Kept as reviewed 80-column screens (endpoints and netpol are in screens.test.ts). */
const REVIEWED = ['services', 'ingress', 'gateway', 'dataplane'];
const WIDTHS = [80, 120];

/** The table part of a screen: up to the findings (ERROR/WARNING/INFO KDnnnn …) or the totals. */
function tableLines(screen: string): string[] {
  const lines = screen.split('\n');
  const end = lines.findIndex((l) => /^(ERROR|WARNING|INFO)\s+KD\d{4}\b|^\d+ error\(s\)|^SUMMARY:|^Network plugin:|^Skipped /.test(l));
  return (end < 0 ? lines : lines.slice(0, end)).filter((l) => l.trim());
}

/** Every token of the piped rows (split where the table may wrap), without trailing commas; `first` columns only when given. */
function tokens(piped: string, first?: number): string[] {
  const out = new Set<string>();
  for (const line of tableLines(piped))
    for (const cell of line.split(/ {3,}/).slice(0, first))
      for (const piece of breakPieces(cell.trim(), 2)) {
        const token = piece.trim().replace(/,$/, '');
        if (token) out.add(token);
      }
  return [...out];
}

const IP = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

describe('list tables at a terminal', () => {
  let api: FakeApiServer;
  const screens = new Map<string, PtyResult>();
  const piped = new Map<string, string>();

  beforeAll(async () => {
    api = await fakeApiServer([...fakeCluster(), ...nodes()]);
    const jobs = Object.entries(COMMANDS).flatMap(([name, args]) => [
      ...WIDTHS.map((cols) => async () => {
        screens.set(`${name} ${cols}`, await runInPty(kdiagLine([...args, '--kubeconfig', api.kubeconfig]), { cols, rows: 40 }));
      }),
      async () => {
        piped.set(name, (await kdiagBinary([...args, '--kubeconfig', api.kubeconfig])).stdout);
      },
    ]);
    await pool(jobs, 4);
  }, 600_000);
  afterAll(async () => {
    await api.close();
  });

  describe.each(Object.keys(COMMANDS))('kdiag %s', (name) => {
    it('piped, prints whole rows wider than 80 columns (nothing to fit)', () => {
      const rows = tableLines(piped.get(name)!);
      expect(rows.length).toBeGreaterThan(1);
      expect(Math.max(...rows.map((l) => [...l].length))).toBeGreaterThan(80);
    });

    it.each(WIDTHS)('at %i columns, every table line fits and no token is split', (cols) => {
      const r = screens.get(`${name} ${cols}`)!;
      expect(r.screen).not.toMatch(/unexpected failure/);
      const lines = tableLines(r.screen);
      expect(lines.length).toBeGreaterThan(1);
      const tooWide = lines.filter((l) => [...l].length > cols);
      expect(tooWide).toEqual([]);
      const text = lines.join('\n');
      const rows = tableLines(piped.get(name)!).join('\n');
      // Addresses, namespaces and names appear whole at any width.
      for (const ip of rows.match(IP) ?? []) expect(text).toMatch(new RegExp(`(^|[^\\d.])${ip.replace(/\./g, '\\.')}($|[^\\d.])`, 'm'));
      expect(tokens(piped.get(name)!, name === 'dataplane' ? 1 : 2).filter((t) => !text.includes(t))).toEqual([]);
      expect((rows.match(/\bKD\d{4}\b/g) ?? []).filter((code) => !new RegExp(`\\b${code}\\b`).test(text))).toEqual([]);
      // At 120 columns every token of every column is whole: nothing had to be cut.
      if (cols >= 120 && !name.endsWith('-wide')) {
        expect(tokens(piped.get(name)!).filter((t) => !text.includes(t))).toEqual([]);
        expect(text).not.toContain('…');
      }
    });
  });

  it.each(REVIEWED)('the 80-column screen of kdiag %s matches the reviewed fixture', (name) => {
    const screen = `${normaliseScreen(screens.get(`${name} 80`)!.screen)}\n`;
    const file = join(SCREENS, `${name}.txt`);
    if (process.env.UPDATE_SCREENS === '1') {
      mkdirSync(SCREENS, { recursive: true });
      writeFileSync(file, screen);
    }
    expect(screen).toBe(readFileSync(file, 'utf8'));
  });
});

describe('one root cause at a terminal', () => {
  /** The ingress-nginx controller's LoadBalancer Service without an address, and three Ingresses of its class without one. */
  function pendingController(): K8sObject[] {
    const objects = fakeCluster();
    const web = objects.find((o) => o.kind === 'Ingress' && o.metadata.name === 'web-ingress')!;
    const copies = ['shop-a', 'shop-b', 'shop-c'].map((name): K8sObject => ({
      ...web,
      metadata: { ...web.metadata, name, annotations: {} },
      spec: { ingressClassName: 'nginx', rules: [{ host: `${name}.example.com`, http: (web.spec as any).rules[0].http }] },
      status: {},
    }));
    const service: K8sObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' },
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.5.5',
        selector: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
      status: { loadBalancer: {} },
    };
    return [...objects, ...copies, service];
  }

  it('kdiag ingress -A: the Ingresses behind the pending controller Service are one entry under it (reviewed screen)', async () => {
    const api = await fakeApiServer(pendingController());
    try {
      const r = await runInPty(kdiagLine(['ingress', '-A', '--kubeconfig', api.kubeconfig]), { cols: 80, rows: 40 });
      expect(r.screen).toMatch(
        /^ERROR +KD3006 +3 Ingresses: no address \(status\.loadBalancer is empty\), all from Service ingress-nginx\/ingress-nginx-controller$/m,
      );
      expect(r.screen).toMatch(/^ +objects: production\/shop-a, production\/shop-b, production\/shop-c$/m);
      const screen = `${normaliseScreen(r.screen)}\n`;
      const file = join(SCREENS, 'ingress-root.txt');
      if (process.env.UPDATE_SCREENS === '1') writeFileSync(file, screen);
      expect(screen).toBe(readFileSync(file, 'utf8'));
    } finally {
      await api.close();
    }
  }, 120_000);
});
