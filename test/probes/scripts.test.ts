// The probe scripts run for real in this machine's shells (dash: the local cluster's busybox
// image; busybox ash: the upstream images), with stand-ins for curl and nslookup on PATH that
// answer after random delays with large outputs, so many parallel jobs finish at once. The probe
// pod has no writable filesystem at all: no script may write a file, and the blocks that parallel
// jobs print must never mix.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURL_SCRIPT, DNS_SCRIPT, HAIRPIN_SCRIPT, REQUEST_SCRIPT } from '../../src/probes/scripts.js';
import { parseDnsProbeLog } from '../../src/probes/interpret-dns.js';
import { parseCurlProbeLog } from '../../src/probes/interpret-http.js';

const NONCE = 'n0nce123';

// A random pause of 0–90 ms, then a long answer (several KiB: more than one pipe write of a careless script).
const PAUSE = `sleep 0.0$(( $(od -An -N1 -tu1 /dev/urandom) % 10 ))`;
const CURL = `#!/bin/sh
w=''; u=''; o=''
while [ $# -gt 0 ]; do
  case $1 in
    -w) w=$2; shift 2;;
    -o) o=$2; shift 2;;
    -m|-H|--connect-timeout|--max-filesize|--connect-to) shift 2;;
    -*) shift;;
    *) u=$1; shift;;
  esac
done
${PAUSE}
body() { printf '{"pod":"pod-of-%s"}' "$u"; i=0; while [ $i -lt 60 ]; do printf 'padding line %s of the answer to %s\\n' "$i" "$u"; i=$((i + 1)); done; }
if [ -n "$o" ]; then body >"$o"; else body; fi
printf '%b' "$w" | sed -e 's/%{exitcode}/0/; s/%{http_code}/200/; s/%{remote_ip}/10.0.0.1/; s/%{remote_port}/80/; s/%{time_[a-z]*}/0.001/g; s/%{errormsg}//; s/%{certs}/Subject: CN=test/'
`;
const NSLOOKUP = `#!/bin/sh
for a in "$@"; do case $a in -*) ;; *) if [ -z "$name" ]; then name=$a; else server=$a; fi;; esac; done
${PAUSE}
printf 'Server:\\t\\t%s\\nAddress:\\t%s:53\\n\\n' "\${server:-10.96.0.10}" "\${server:-10.96.0.10}"
i=0; while [ $i -lt 40 ]; do printf 'Name:\\t%s\\nAddress: 10.0.%s.1\\n\\n' "$name" "$i"; i=$((i + 1)); done
`;

function stubs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kdiag-script-'));
  for (const [name, text] of [
    ['curl', CURL],
    ['nslookup', NSLOOKUP],
  ]) {
    writeFileSync(join(dir, name!), text!);
    chmodSync(join(dir, name!), 0o755);
  }
  return dir;
}

const SHELLS: [string, string[]][] = [['dash', ['/bin/sh']]];
if (existsSync('/usr/bin/busybox')) SHELLS.push(['busybox ash', ['/usr/bin/busybox', 'sh']]);

function run(shell: string[], script: string, args: string[]): string {
  const bin = stubs();
  // A function, not only PATH: busybox ash runs its own nslookup applet before anything on PATH.
  const r = spawnSync(shell[0]!, [...shell.slice(1), '-c', `nslookup() { "${bin}/nslookup" "$@"; }\n${script}`, '--', ...args], {
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, KDIAG_NODE_IP: '10.0.0.9' },
    cwd: bin,
    timeout: 30_000,
  });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('the probe scripts write no file', () => {
  it.each([
    ['DNS_SCRIPT', DNS_SCRIPT],
    ['CURL_SCRIPT', CURL_SCRIPT],
    ['REQUEST_SCRIPT', REQUEST_SCRIPT],
    ['HAIRPIN_SCRIPT', HAIRPIN_SCRIPT],
  ])('%s redirects output only to /dev/null (the pod has no writable filesystem)', (_name, script) => {
    const redirects = [...script.matchAll(/\d?>>?\s*([^\s&;)|]+)/g)].map((m) => m[1]);
    expect(redirects.filter((target) => target !== '/dev/null')).toEqual([]);
  });
});

describe.each(SHELLS)('run in %s', (_name, shell) => {
  it('CURL_SCRIPT: 40 targets at once, every result and body line whole', () => {
    const urls = Array.from({ length: 40 }, (_, i) => `http://svc-${i}.ns.svc.cluster.local:80/`);
    const pairs = urls.flatMap((u, i) => [i % 5 === 4 ? 'tcp' : 'http', i % 5 === 4 ? u.replace('http:', 'telnet:') : u]);
    const log = run(shell, CURL_SCRIPT, [NONCE, '5', '0', ...pairs, 'node', '10256/healthz']);
    expect(log.trimEnd().split('\n').pop()).toBe(`KDIAG${NONCE} done 41`);
    const targets = [...urls.map((_, i) => ({ mode: (i % 5 === 4 ? 'tcp' : 'http') as 'tcp' | 'http' })), { mode: 'http' as const }];
    const results = parseCurlProbeLog(log, NONCE, targets);
    expect(results.map((r) => r.index)).toEqual(targets.map((_, i) => i));
    for (const r of results) {
      expect(r).toMatchObject({ exitCode: 0, httpCode: 200, remoteIp: '10.0.0.1' });
      if (r.index < 40 && r.index % 5 !== 4) expect(r.body).toContain(`"pod":"pod-of-${urls[r.index]}"`);
    }
    // The node target: curl was given the node's address from the downward API.
    expect(results[40]!.body).toContain('pod-of-http://10.0.0.9:10256/healthz');
    // Every line is one the script printed whole: a marker line or nothing else.
    for (const line of log.split('\n').filter(Boolean)) expect(line).toMatch(new RegExp(`^KDIAG${NONCE} (result \\d+ 0 200 |body \\d+ |done )`));
  });

  it('DNS_SCRIPT: 30 servers asked directly at once, each block whole and back in order', () => {
    const direct = Array.from({ length: 30 }, (_, i) => [`10.244.0.${i + 2}`, `kubernetes.default.svc.cluster.local.`]).flat();
    const log = run(shell, DNS_SCRIPT, [NONCE, '3', '0', 'api-service.production.svc.cluster.local.', '--direct', ...direct]);
    expect(log.trimEnd().split('\n').pop()).toBe(`KDIAG${NONCE} done 1`);
    const out = parseDnsProbeLog(log, NONCE);
    expect(out.lookups.map((l) => l.outcome)).toEqual(['answer']);
    expect(out.direct.map((d) => [d.index, d.server, d.name, d.exitCode])).toEqual(
      Array.from({ length: 30 }, (_, i) => [i, `10.244.0.${i + 2}`, 'kubernetes.default.svc.cluster.local.', 0]),
    );
    for (const d of out.direct) expect(d.outcome).toBe('answer');
  });

  it('REQUEST_SCRIPT: the result, the certificate lines and the body', () => {
    const log = run(shell, REQUEST_SCRIPT, [NONCE, '5', '0', 'https://shop.example.test/', 'shop.example.test:443:10.96.0.80:443']);
    const lines = log.trimEnd().split('\n');
    expect(lines[0]).toBe(`KDIAG${NONCE} result 0 200 10.0.0.1 80 `);
    expect(lines.slice(1, 4)).toEqual([`KDIAG${NONCE} certs`, 'Subject: CN=test', `KDIAG${NONCE} endcerts`]);
    expect(lines[4]).toMatch(new RegExp(`^KDIAG${NONCE} body \\{"pod":"pod-of-https://shop.example.test/"\\}padding line 0`));
    expect(lines[4]!.length).toBeLessThanOrEqual(`KDIAG${NONCE} body `.length + 600);
    expect(lines[5]).toBe(`KDIAG${NONCE} done 1`);
  });
});
