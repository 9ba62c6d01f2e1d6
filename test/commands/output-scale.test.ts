// kdiag check -A over the scale mode's load (test/support/scale.ts mirrors cluster/go/scalegen)
// with the ingress-nginx controller and kube-system beside it, against the fake API: the table
// output stays a few screens long while -o json keeps every finding. KDIAG_SCALE_LEVEL sets
// the level (default 0.1: 500 Services, 2,000 Pods, 50 Ingresses in 10 namespaces); the README's
// numbers for 1× come from KDIAG_SCALE_LEVEL=1.
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { fakeApi, testKubeconfig } from '../support/fake-api.js';
import { loadFixture } from '../support/fixtures.js';
import { kdiag } from '../support/run.js';
import { loadAt, scaleObjects } from '../support/scale.js';

const level = Number(process.env.KDIAG_SCALE_LEVEL ?? '0.1');
// The scale load beside the scenario's namespaces and their planted faults, as on the local cluster.
const objects = [...loadFixture('kube-system.yaml'), ...loadFixture('production.yaml'), ...loadFixture('ingress.yaml'), ...scaleObjects(loadAt(level))];

describe(`kdiag check -A on the scale load at ${level}× (against a fake API)`, () => {
  it('prints a summary and grouped findings in under 200 lines; -o json has every finding', async () => {
    fakeApi(objects);
    const json = await kdiag(['check', '-A', '-o', 'json', '--kubeconfig', testKubeconfig()]);
    const findings = (JSON.parse(json.stdout) as { findings: { code: string }[] }).findings;
    const byCode = new Map<string, number>();
    for (const f of findings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
    // Every 50th Service selects no pod; every Ingress lacks an address and runs on ingress-nginx.
    expect(byCode.get('KD1001')).toBeGreaterThanOrEqual(Math.round(loadAt(level).services / 50));
    expect(byCode.get('KD3006')).toBeGreaterThanOrEqual(loadAt(level).ingresses);
    expect(byCode.get('KD7030')).toBeGreaterThanOrEqual(loadAt(level).ingresses);

    fakeApi(objects);
    const table = await kdiag(['check', '-A', '--kubeconfig', testKubeconfig()]);
    expect(table.code).toBe(json.code);
    const lines = table.stdout.trimEnd().split('\n');
    process.stderr.write(
      `scale ${level}×: check -A table ${lines.length} lines, ${table.stdout.length} bytes; -o json ${findings.length} findings (${[...byCode].map(([c, n]) => `${n} ${c}`).join(', ')})\n`,
    );
    // KDIAG_SCALE_OUT=file keeps the table for a look (the README's sample).
    if (process.env.KDIAG_SCALE_OUT) writeFileSync(process.env.KDIAG_SCALE_OUT, table.stdout);
    expect(lines.length).toBeLessThan(200);
    const total = table.stdout.match(/^SUMMARY: (\d+) errors?, (\d+) warnings?, (\d+) info/m);
    expect(total).not.toBeNull();
    expect(Number(total![1]) + Number(total![2]) + Number(total![3])).toBe(findings.length);
    expect(table.stdout).toMatch(/^SUMMARY \(again\)/m);
    // The scale Ingresses share one cause; the scenario's Ingress of a missing class has its own.
    expect(table.stdout).toMatch(new RegExp(`^ERROR {3}KD3006 {2}${loadAt(level).ingresses} Ingresses: `, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^INFO {4}KD7030 {2}${byCode.get('KD7030')} Ingresses: .*and \\d+ more \\(--all-objects lists them\\)\\)$`, 'm'));
  }, 600_000);
});
