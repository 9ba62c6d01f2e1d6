// The ways kdiag is installed, each tried for real: the npm tarball installed globally into
// a temporary prefix and through npx, the kubectl plugin found by kubectl on PATH, the
// single executable (Node SEA) and its krew archive. Commands that need the cluster run
// when the local cluster answers (cluster/e2e.sh starts it); the rest run without it.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { kubeconfigPath, REPO_ROOT, runKdiag } from './support/cluster.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const NODE_DIR = dirname(process.execPath);
const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';
const work = mkdtempSync(join(tmpdir(), 'kdiag-packaging-'));
const prefix = join(work, 'prefix');
/** The tarball unpacked, with its dependencies installed from the lockfile (see beforeAll). */
const unpacked = join(work, 'package');
const docsOf = (code: string) => readFileSync(join(REPO_ROOT, 'docs', 'checks', `${code}.md`), 'utf8');

function exec(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: { NO_COLOR: '1', HOME: process.env.HOME, ...options.env },
        cwd: options.cwd ?? work,
        timeout: options.timeoutMs ?? 240_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const c = (error as { code?: unknown } | null)?.code;
        resolve({ code: error ? (typeof c === 'number' ? c : 124) : 0, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

const hasNamespace = (name: string) =>
  existsSync(kubeconfigPath()) &&
  spawnSync('kubectl', ['--kubeconfig', kubeconfigPath(), 'get', 'namespace', name, '--request-timeout=5s'], { stdio: 'ignore' }).status === 0;
/** The local cluster answers, and has the production scenario (cluster/e2e.sh applies it). */
const withCluster = hasNamespace('kube-system') ? it : it.skip;
const withScenario = hasNamespace('production') ? it : it.skip;

describe('the npm package', () => {
  let tarball: string;
  let packed: { size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };
  // The package's bin directory first, then this Node 24 (the scripts start with `#!/usr/bin/env node`).
  const env = () => ({ PATH: `${join(prefix, 'bin')}:${NODE_DIR}:${SYSTEM_PATH}` });

  beforeAll(async () => {
    // dist and the manifest are built by `npm test` / `npm run test:package` (prepack would rebuild
    // them under the other test runs' feet, hence --ignore-scripts).
    const r = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: REPO_ROOT,
      env: { PATH: `${NODE_DIR}:${process.env.PATH}` },
    });
    expect(r.code).toBe(0);
    packed = JSON.parse(r.stdout)[0];
    tarball = join(work, (packed as unknown as { filename: string }).filename);
    process.stdout.write(
      `npm package: ${(packed.size / 1000).toFixed(1)} kB packed, ${(packed.unpackedSize / 1000).toFixed(1)} kB unpacked, ${packed.entryCount} files\n`,
    );

    // The registry's speed must not decide this test (on a busy machine installs from it took
    // over 240 s). The tarball's dependencies are installed with --offline from the npm cache
    // that `npm ci` filled, at the versions of package-lock.json (what the other tests ran
    // with): a global install of a tarball resolves its ranges from registry metadata, which
    // `npm ci` never caches, so the tarball is unpacked and `npm ci` installs into it.
    mkdirSync(unpacked);
    expect(spawnSync('tar', ['xzf', tarball, '-C', unpacked, '--strip-components=1']).status).toBe(0);
    copyFileSync(join(REPO_ROOT, 'package-lock.json'), join(unpacked, 'package-lock.json'));
    const npmEnv = { PATH: `${NODE_DIR}:${SYSTEM_PATH}` };
    const cache = (await exec('npm', ['config', 'get', 'cache'], { env: npmEnv })).stdout.trim();
    const started = Date.now();
    const deps = await exec('npm', ['ci', '--omit=dev', '--offline', '--cache', cache, '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: unpacked,
      env: npmEnv,
    });
    expect(deps.stderr).not.toMatch(/ERR!/);
    expect(deps.code).toBe(0);
    process.stdout.write(`npm package: dependencies installed offline from ${cache} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });

  it('ships only the built code, manifest, finding docs, RBAC YAML and schema', () => {
    const paths = packed.files.map((f) => f.path);
    const allowed =
      /^(package\.json|README\.md|LICENSE|bin\/(run|help-cache)\.js|oclif\.manifest\.json|deploy\/rbac\.yaml|schema\/[\w.-]+\.json|docs\/checks\/KD\d{4}\.md|dist\/.+\.js|dist\/vendor\/oclif\.cjs)$/;
    expect(paths.filter((p) => !allowed.test(p))).toEqual([]);
    for (const needed of [
      'bin/run.js',
      'bin/help-cache.js',
      'dist/vendor/oclif.cjs',
      'oclif.manifest.json',
      'deploy/rbac.yaml',
      'dist/commands/endpoints.js',
      'dist/commands/docs.js',
      'docs/checks/KD1001.md',
      'schema/report.schema.json',
    ]) {
      expect(paths).toContain(needed);
    }
    const docs = readdirSync(join(REPO_ROOT, 'docs', 'checks')).filter((f) => f.endsWith('.md'));
    expect(paths.filter((p) => p.startsWith('docs/checks/'))).toHaveLength(docs.length);
    expect(packed.size).toBeLessThan(1_000_000);
  });

  it('installs with `npm install -g` into a temporary prefix and gives working kdiag and kubectl-kdiag', async () => {
    // The unpacked tarball with its dependencies: npm links it into the prefix, nothing is fetched.
    const install = await exec('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', unpacked], { env: env() });
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.code).toBe(0);
    expect(existsSync(join(prefix, 'bin', 'kdiag'))).toBe(true);
    expect(existsSync(join(prefix, 'bin', 'kubectl-kdiag'))).toBe(true);

    const version = await exec('kdiag', ['--version'], { env: env() });
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^kdiag\/0\.\d+\.\d+ linux-x64 node-v(2[2-9]|[3-9]\d)\./);
    const docs = await exec('kdiag', ['docs', 'KD1005'], { env: env() });
    expect(docs.stdout).toBe(`${docsOf('KD1005').trimEnd()}\n`);
    const help = await exec('kdiag', ['--help'], { env: env() });
    expect(help.stdout).toMatch(/COMMANDS\n(.|\n)*endpoints/);
    const completion = await exec('kdiag', ['completion', 'bash'], { env: env() });
    writeFileSync(join(work, 'kdiag.bash'), completion.stdout);
    expect(spawnSync('bash', ['-n', join(work, 'kdiag.bash')]).status).toBe(0);
  });

  it('runs from the tarball with npx', async () => {
    const r = await exec('npx', ['--yes', '--offline', '--package', unpacked, '--', 'kdiag', '--version'], {
      env: { PATH: `${NODE_DIR}:${SYSTEM_PATH}` },
      cwd: work,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kdiag\/0\.\d+\.\d+ /);
  });

  it('is found by kubectl as the plugin `kubectl kdiag`', async () => {
    const list = await exec('kubectl', ['plugin', 'list', '--name-only'], { env: env() });
    expect(list.stdout.split('\n')).toContain('kubectl-kdiag');
    const version = await exec('kubectl', ['kdiag', '--version'], { env: env() });
    expect(version.stdout).toMatch(/^kdiag\/0\.\d+\.\d+ /);
    const docs = await exec('kubectl', ['kdiag', 'docs', 'KD1001'], { env: env() });
    expect(docs.stdout).toBe(`${docsOf('KD1001').trimEnd()}\n`);
  });

  withScenario('`kubectl kdiag check -n production` checks the local cluster through kubectl', async () => {
    const r = await exec('kubectl', ['kdiag', 'check', '-n', 'production', '-o', 'json'], { env: { ...env(), KUBECONFIG: kubeconfigPath() } });
    expect([0, 1]).toContain(r.code);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ apiVersion: 'kdiag/v1', namespace: 'production' });
    // The planted selector typo (cluster/scenario/FAULTS.md) is found the same way as by kdiag itself.
    expect(report.findings).toContainEqual(expect.objectContaining({ code: 'KD1001', object: expect.objectContaining({ name: 'api-v2-service' }) }));
    const table = await exec('kubectl', ['kdiag', 'check', '-n', 'production'], { env: { ...env(), KUBECONFIG: kubeconfigPath() } });
    expect(table.stdout).toMatch(/\d+ error\(s\), \d+ warning\(s\), \d+ info/);
  });

  withCluster('bash completion of the installed kdiag offers the namespaces of the cluster', async () => {
    const script = `source ${join(work, 'kdiag.bash')}
COMP_WORDS=(kdiag endpoints --kubeconfig ${kubeconfigPath()} -n kube-)
COMP_CWORD=5
_kdiag
printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = await exec('bash', ['--norc', '--noprofile', '-c', script], { env: env() });
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['kube-system', 'kube-public']));
    expect(r.stdout).not.toMatch(/^default$/m);
    const all = await exec('kdiag', ['__complete', 'namespaces', '--kubeconfig', kubeconfigPath()], { env: env() });
    expect(all.stdout.split('\n')).toEqual(expect.arrayContaining(['default', 'kube-system']));
  });
});

describe('the single-file build (`npm run build:single`)', () => {
  const out = join(REPO_ROOT, 'build', 'out');
  const exe = join(work, 'bin', 'kdiag');

  beforeAll(async () => {
    const r = await exec(process.execPath, [join(REPO_ROOT, 'build', 'single', 'build.mjs')], {
      cwd: REPO_ROOT,
      env: { PATH: `${NODE_DIR}:${process.env.PATH}` },
      timeoutMs: 280_000,
    });
    if (r.code !== 0) throw new Error(`build:single failed: ${r.stderr}`);
    // Alone in an empty folder, with no Node and no npm on PATH.
    mkdirSync(dirname(exe), { recursive: true });
    copyFileSync(join(out, 'kdiag'), exe);
    execFileSync('chmod', ['755', exe]);
  }, 300_000);

  it('runs `kdiag --version` and `--help` with no Node or npm on PATH', async () => {
    const version = await exec(exe, ['--version'], { env: { PATH: '/nonexistent' } });
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^kdiag\/0\.\d+\.\d+ linux-x64 node-v\d+\./);
    const help = await exec(exe, ['endpoints', '--help'], { env: { PATH: '/nonexistent' } });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Services with no ready endpoints/);
  });

  it('carries the finding docs inside the executable', async () => {
    const r = await exec(exe, ['docs', 'KD4001'], { env: { PATH: '/nonexistent' } });
    expect(r.stdout).toBe(`${docsOf('KD4001').trimEnd()}\n`);
    const unknown = await exec(exe, ['docs', 'KD0000'], { env: { PATH: '/nonexistent' } });
    expect(unknown.code).toBe(2);
  });

  it('has the same commands, flags and values as the npm build (its completion script is identical)', async () => {
    const single = await exec(exe, ['completion', 'bash'], { env: { PATH: '/nonexistent' } });
    const reference = await exec(process.execPath, [join(REPO_ROOT, 'bin', 'run.js'), 'completion', 'bash']);
    expect(single.code).toBe(0);
    expect(single.stdout).toBe(reference.stdout);
  });

  it('the JavaScript bundle runs with Node alone', async () => {
    const r = await exec(process.execPath, [join(out, 'kdiag.cjs'), '--version']);
    expect(r.stdout).toMatch(/^kdiag\/0\.\d+\.\d+ /);
  });

  withScenario('`kdiag endpoints -n production` reports what the npm build reports', async () => {
    const single = await exec(exe, ['endpoints', '-n', 'production', '-o', 'json', '--kubeconfig', kubeconfigPath()], { env: { PATH: '/nonexistent' } });
    const reference = await runKdiag(['endpoints', '-n', 'production', '-o', 'json']);
    expect(single.stderr).toBe('');
    expect(single.code).toBe(reference.code);
    const codes = (r: Result) =>
      JSON.parse(r.stdout)
        .findings.map((f: { code: string; object: { name: string } }) => `${f.object.name} ${f.code}`)
        .sort();
    expect(codes(single)).toEqual(codes(reference));
    expect(codes(single)).toContain('api-v2-service KD1001');
    const table = await exec(exe, ['endpoints', '-n', 'production', '--kubeconfig', kubeconfigPath()], { env: { PATH: '/nonexistent' } });
    expect(table.stdout).toMatch(/^NAMESPACE\s+SERVICE\s+TYPE\s+READY/);
  });

  withCluster('`kdiag endpoints -n kube-system` answers like the npm build (the cluster DNS Service)', async () => {
    const single = await exec(exe, ['endpoints', '-n', 'kube-system', '-o', 'json', '--kubeconfig', kubeconfigPath()], { env: { PATH: '/nonexistent' } });
    const reference = await runKdiag(['endpoints', '-n', 'kube-system', '-o', 'json']);
    expect(single.stderr).toBe('');
    expect(single.code).toBe(reference.code);
    const services = (r: Result) => JSON.parse(r.stdout).services.map((x: { name: string; status: string }) => `${x.name} ${x.status}`);
    expect(services(single)).toEqual(services(reference));
    expect(services(single).some((x: string) => x.startsWith('kube-dns '))).toBe(true);
  });

  it('makes a krew archive and fills the krew manifest with its checksum', async () => {
    const archive = join(out, 'kdiag-linux-amd64.tar.gz');
    const manifest = load(readFileSync(join(out, 'kdiag.krew.yaml'), 'utf8')) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: {
        version: string;
        platforms: { selector: { matchLabels: Record<string, string> }; uri: string; sha256: string; bin: string; files: { from: string; to: string }[] }[];
      };
    };
    expect(manifest).toMatchObject({ apiVersion: 'krew.googlecontainertools.github.com/v1alpha2', kind: 'Plugin', metadata: { name: 'kdiag' } });
    expect(manifest.spec.version).toMatch(/^v\d+\.\d+\.\d+$/);
    const [linux] = manifest.spec.platforms;
    expect(linux).toMatchObject({ selector: { matchLabels: { os: 'linux', arch: 'amd64' } }, bin: 'kubectl-kdiag' });
    expect(linux!.uri).toMatch(/\/kdiag-linux-amd64\.tar\.gz$/);
    expect(linux!.sha256).toBe(createHash('sha256').update(readFileSync(archive)).digest('hex'));
    expect(JSON.stringify(manifest)).not.toContain('{{');
    // What krew does on install: unpack, put kubectl-kdiag on PATH; kubectl then finds it.
    const plugins = join(work, 'krew-bin');
    mkdirSync(plugins);
    execFileSync('tar', ['-xzf', archive, '-C', plugins]);
    expect(readdirSync(plugins)).toEqual(['kubectl-kdiag']);
    const r = await exec('kubectl', ['kdiag', '--version'], { env: { PATH: `${plugins}:${SYSTEM_PATH}` } });
    expect(r.stdout).toMatch(/^kdiag\/0\.\d+\.\d+ /);
    // Run as kubectl-kdiag, help speaks of `kubectl kdiag`.
    const help = await exec('kubectl', ['kdiag', 'endpoints', '--help'], { env: { PATH: `${plugins}:${SYSTEM_PATH}` } });
    expect(help.stdout).toContain('$ kubectl kdiag endpoints -n production');
  });
});

afterAll(() => {
  // Leave nothing running; the temporary folder holds ~300 MB: remove it.
  spawnSync('rm', ['-rf', work]);
});
