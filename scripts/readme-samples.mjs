#!/usr/bin/env node
// README samples from real runs. Every block of README.md between
//   <!-- sample: kdiag check -n production -->  and  <!-- /sample -->
// is the output of that command, run through the real binary (bin/run.js) on the local
// cluster, stdout and stderr as a terminal would interleave them, then normalised so that
// what changes from run to run (durations, ages, generated Pod names, Pod IPs; when
// comparing, also column widths, restart counts, ClusterIPs and the cluster-wide counts that other tests
// change) does not show up as a difference.
//
//   node scripts/readme-samples.mjs           rewrite the samples in README.md
//   node scripts/readme-samples.mjs --check   exit 1 when a sample differs from what kdiag prints
//
// test/e2e/readme-samples.e2e.test.ts runs the check. The cluster must be up with the
// scenario applied (cluster/e2e.sh does both); KDIAG_E2E_KUBECONFIG overrides the kubeconfig.
//
// Some planted faults take time to show their settled face: a LoadBalancer without an address
// is "still being provisioned" for 5 minutes, a crash-looping Pod is briefly Running between
// back-offs. The samples run with a .kdiag.yaml that sets the address grace to 0 (what a
// cluster older than 5 minutes shows), a run is repeated until two in a row agree, and the
// check retries for up to 90 s before it reports a difference.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const README = join(ROOT, 'README.md');
const KUBECONFIG = process.env.KDIAG_E2E_KUBECONFIG ?? '/var/lib/kdiag/cluster/kubeconfig';
const SAMPLE = /<!-- sample: (kdiag [^>]*?) -->\n[\s\S]*?<!-- \/sample -->/g;

/** The commands of the README's samples, in order. */
export function sampleCommands(readme) {
  return [...readme.matchAll(SAMPLE)].map((m) => m[1]);
}

/** The text of each sample block (between the markers, without the code fence). */
export function sampleBlocks(readme) {
  return [...readme.matchAll(SAMPLE)].map((m) => {
    const inner = m[0].split('\n').slice(1, -1);
    return { command: m[1], text: inner.slice(1, -1).join('\n') };
  });
}

// Deployment Pods are named <deployment>-<ReplicaSet hash>-<suffix>, from this alphabet.
const NAME_CHARS = '[bcdfghjklmnpqrstvwxz2456789]';

/** What differs between two runs on the same scenario, replaced by fixed text. */
export function normalise(text) {
  return (
    text
      // Durations of steps and checks: (0.38s), 0.00s.
      .replace(/\b\d+\.\d+s\b/g, '0.05s')
      // Ages: "6 minutes after creation", "for 2 hours", "expires in 364 d", "3 d ago".
      .replace(/\b\d+ (second|minute|hour|day|week)s?\b/g, '5 minutes')
      .replace(/\b\d+ d\b/g, '30 d')
      .replace(/(?<![\d.])\b(\d+d)?(\d+h)?(\d+m)?\d+s\b/g, '5m0s')
      .replace(new RegExp(`\\b([a-z0-9.-]+)-${NAME_CHARS}{6,10}-${NAME_CHARS}{5}(?![a-z0-9])`, 'g'), '$1-xxxxxxxxxx-xxxxx')
      // Pod IPs and UIDs change whenever a Pod is recreated; restarts count up.
      .replace(/\b10\.244\.\d+\.\d+\b/g, '10.244.0.x')
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '00000000-0000-0000-0000-000000000000')
      // DaemonSet Pods (kdiag dataplane, the data-plane section of check) are <daemonset>-<suffix>.
      .replace(new RegExp(`\\bkube-system/([a-z0-9.-]+)-${NAME_CHARS}{5}(?![a-z0-9])`, 'g'), 'kube-system/$1-xxxxx')
      .replace(/\b\d+ restart\(s\)/g, '3 restart(s)')
      .replace(/\b\d+ restarts?\b(?!\()/g, '3 restarts')
  );
}

/** The same sample, ignoring column widths, cluster-wide object counts and how often Pods restarted. */
export function comparable(text) {
  return (
    normalise(text)
      .replace(/,? \d+ restart(?:\(s\)|s)?(?![\w(])/g, '')
      // The snapshot line counts cluster-wide kinds (namespaces, IngressClasses) that other tests
      // create, in the order the lists finished.
      .replace(/^✓ Snapshot: (.*) \([\d.]+s\)$/m, (_line, kinds) => `✓ Snapshot: ${kinds.replace(/\d+/g, 'N').split(', ').sort().join(', ')}`)
      // ClusterIPs are assigned anew when the scenario is applied to a new cluster.
      .replace(/\b10\.96\.\d+\.\d+\b/g, '10.96.x.x')
      .split('\n')
      .map((line) => line.replace(/ {2,}/g, '  ').trimEnd())
      .join('\n')
      .trim()
  );
}

/** Runs one sample command through the real binary: the block's text ($ command, output, exit code). */
export function runSample(command) {
  const words = command.split(/\s+/);
  if (words[0] !== 'kdiag' || words.some((w) => /['"`$\\]/.test(w))) throw new Error(`not a plain kdiag command: ${command}`);
  // One file for stdout and stderr, so the progress lines and the report keep their order.
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-sample-'));
  const file = join(dir, 'out');
  writeFileSync(join(dir, '.kdiag.yaml'), 'thresholds:\n  addressGraceSeconds: 0\n');
  const fd = openSync(file, 'w');
  try {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...words.slice(1)], {
      cwd: dir,
      env: { ...process.env, KUBECONFIG, NO_COLOR: '1' },
      stdio: ['ignore', fd, fd],
      timeout: 120_000,
    });
    if (r.error) throw r.error;
    const output = readFileSync(file, 'utf8').trimEnd();
    return [`$ ${command}`, output, ...(r.status ? [`exit: ${r.status}`] : [])].join('\n');
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A run of `command` that the next run confirms (at most `tries` runs, `pauseMs` apart). */
export async function settledSample(command, tries = 6, pauseMs = 5000) {
  let previous = runSample(command);
  for (let i = 1; i < tries; i++) {
    await sleep(pauseMs);
    const next = runSample(command);
    if (comparable(next) === comparable(previous)) return next;
    previous = next;
  }
  throw new Error(`${command}: no two runs in a row agree; is the scenario still starting?`);
}

/** Whether the README's sample matches what kdiag prints now, retrying for up to `withinMs`. */
export async function sampleMatches(command, text, withinMs = 90_000, pauseMs = 5000) {
  const until = Date.now() + withinMs;
  for (;;) {
    const actual = runSample(command);
    if (comparable(actual) === comparable(text)) return { ok: true, actual };
    if (Date.now() + pauseMs > until) return { ok: false, actual };
    await sleep(pauseMs);
  }
}

/** README with every sample replaced by a settled run. */
export async function regenerate(readme) {
  const fresh = new Map();
  for (const command of sampleCommands(readme)) fresh.set(command, normalise(await settledSample(command)));
  return readme.replace(SAMPLE, (_block, command) => `<!-- sample: ${command} -->\n\`\`\`\n${fresh.get(command)}\n\`\`\`\n<!-- /sample -->`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const readme = readFileSync(README, 'utf8');
  const commands = sampleCommands(readme);
  if (commands.length === 0) throw new Error('README.md has no <!-- sample: … --> blocks');
  if (process.argv.includes('--check')) {
    let differ = 0;
    for (const { command, text } of sampleBlocks(readme)) {
      if (!(await sampleMatches(command, text)).ok) {
        differ++;
        process.stderr.write(`README sample differs from what kdiag prints: ${command} (run npm run readme:samples)\n`);
      }
    }
    process.exit(differ ? 1 : 0);
  }
  writeFileSync(README, await regenerate(readme));
  process.stdout.write(`README.md: ${commands.length} sample(s) regenerated: ${commands.join('; ')}\n`);
}
