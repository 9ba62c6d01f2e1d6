// What the terminal tests share: one fake cluster made of the unit fixtures, and every
// command and example from the manifest (the `--help` a person reads).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFixture, type K8sObject } from '../support/fixtures.js';
import { shQuote } from '../support/pty.js';
import { ROOT } from '../support/run.js';

/** The fixtures as one cluster (the first file that defines an object wins). */
export function fakeCluster(): K8sObject[] {
  const files = ['production.yaml', 'kube-system.yaml', 'ingress.yaml', 'gateway.yaml', 'netpol-guide.yaml', 'trace.yaml', 'probe-scenario.yaml'];
  const seen = new Set<string>();
  const objects: K8sObject[] = [];
  for (const file of files) {
    for (const o of loadFixture(file)) {
      const key = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      objects.push(o);
    }
  }
  return objects;
}

export interface ManifestCommand {
  id: string;
  hidden?: boolean;
  examples?: ({ description: string; command: string } | string)[];
}

/** Commands as the manifest lists them, help and examples included. */
export function manifestCommands(): ManifestCommand[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, ManifestCommand> };
  return Object.values(manifest.commands).sort((a, b) => a.id.localeCompare(b.id));
}

/** Every example's command line, as `--help` prints it (`<%= config.bin %>` is kdiag). */
export function examples(): { command: string; line: string }[] {
  return manifestCommands().flatMap((c) =>
    (c.examples ?? []).map((e) => ({
      command: c.id.replace(/:/g, ' '),
      line: (typeof e === 'string' ? e : e.command).replace(/<%= config\.bin %>/g, 'kdiag'),
    })),
  );
}

/** Runs the jobs, at most `width` at a time. */
export async function pool(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
}

/** What each example must end with: its exit status and its last line. */
export const EXPECTED: Record<string, { status: number; last: RegExp }> = {
  'kdiag check -n production': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag check -A -o junit > kdiag.xml': { status: 1, last: /^ {2}Data plane per node: passed \(0 errors, 0 warnings\)$/ },
  'kdiag check -n production --only endpoints,ingress --fail-on warning': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag cleanup -A --dry-run': { status: 0, last: /^No kdiag probe objects found in any namespace\.$/ },
  'kdiag cleanup -n production': { status: 0, last: /^No kdiag probe objects found in namespace production\.$/ },
  'source <(kdiag completion bash)': { status: 0, last: /^complete -o nosort -F _kdiag kdiag$|^complete .*-F \S+ kdiag$/ },
  'kdiag completion zsh > "${fpath[1]}/_kdiag"': { status: 0, last: /^#compdef kdiag/ },
  // The fake API refuses to create the probe pod (404), as a cluster without the API would.
  'kdiag connectivity api-service --path /health -n production': { status: 2, last: /^kdiag: the resource pods not found \(404\)/ },
  'kdiag connectivity postgres:5432 redis-headless:6379 api-service -n production': { status: 2, last: /^kdiag: the resource pods not found \(404\)/ },
  'kdiag connectivity postgres -n production --from-namespace production --from-labels app=api-server': {
    status: 2,
    last: /^kdiag: the resource pods not found \(404\)/,
  },
  'kdiag dataplane': { status: 0, last: /^No nodes found\.$/ },
  'kdiag dns api-service -n production': { status: 2, last: /^kdiag: the resource pods not found \(404\)/ },
  'kdiag dns redis-0.redis-headless -n production': { status: 2, last: /^kdiag: the resource pods not found \(404\)/ },
  'kdiag dns postgres -n production --from production/api-server-7d9c-abcde': {
    status: 2,
    last: /^kdiag: pod production\/api-server-7d9c-abcde \(--from\) not found$/,
  },
  'kdiag docs': { status: 0, last: /^\s+ingress-nginx controller$|^KD\d{4}\s/ },
  'kdiag docs KD1001': { status: 0, last: /^https:\/\/kubernetes\.io\/docs\// },
  'kdiag endpoints -n production': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag endpoints api-service -n production': { status: 0, last: /^api-server-\S+\s+Running\s+true/ },
  'kdiag endpoints -A -o json': { status: 1, last: /^}$/ },
  'kdiag gateway -n production': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag gateway public -n infra': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag gateway -A -o json': { status: 1, last: /^}$/ },
  // Ctrl-C ends a watch, with status 0 (below).
  'kdiag gateway -n production --watch': { status: 0, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag ingress -n production': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag ingress api-ingress -n production': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag ingress -A --cert-warn-days 30 --fail-on warning': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag ingress api-ingress -n production -o json': { status: 1, last: /^}$/ },
  'kdiag netpol -n production': { status: 0, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag netpol -A -o json': { status: 0, last: /^}$/ },
  'kdiag netpol explain --from payment-service:app=payment-api --to auth-service/svc/auth-service --port 80': { status: 0, last: /policies see port 8080$/ },
  'kdiag netpol explain --from ingress-nginx:app.kubernetes.io/name=ingress-nginx --to production/svc/api-service --port 80': {
    status: 0,
    last: /policies see port 8080$/,
  },
  'kdiag netpol explain --from production:app=api-server --to kube-system:k8s-app=kube-dns --port 53/UDP': {
    status: 0,
    last: /ingress is not isolated, so it is allowed$/,
  },
  'kdiag netpol explain --from payment-service:app=payment-api --to auth-service/svc/auth-service --port 80 -o json': { status: 0, last: /^}$/ },
  'kdiag services -n production': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag services -A --fail-on warning': { status: 1, last: /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/ },
  'kdiag trace https://api.example.com/api/v1/users': { status: 1, last: /^The request stops at: TLS\.$/ },
  'kdiag trace http://api-service.production/health': { status: 0, last: /^Every hop is fine: the request reaches a ready Pod\.$/ },
  'kdiag trace https://api.example.com/api/v2 -o json': { status: 1, last: /^}$/ },
};

/** One example per command whose human output has colour (a coloured mark or the task list). */
export const COLOURED = [
  'kdiag check -n production',
  'kdiag endpoints -n production',
  'kdiag services -n production',
  'kdiag ingress -n production',
  'kdiag gateway -n production',
  'kdiag netpol -n production',
  'kdiag netpol explain --from production:app=api-server --to kube-system:k8s-app=kube-dns --port 53/UDP',
  'kdiag trace https://api.example.com/api/v1/users',
  'kdiag dns api-service -n production',
  'kdiag connectivity api-service --path /health -n production',
];

/** The example as the person types it; a check after it where the example itself prints nothing. */
export function shellFor(line: string, dir: string): string {
  if (line.includes('${fpath[1]}')) return `zsh -fc ${shQuote(`fpath=(${dir} $fpath); ${line} && head -1 "\${fpath[1]}/_kdiag"`)}`;
  if (line.startsWith('source <(')) return `bash -c ${shQuote(`${line} && complete -p kdiag`)}`;
  return `bash -c ${shQuote(line)}`;
}

export const lastLine = (screen: string) =>
  screen
    .split('\n')
    .filter((l) => l.trim())
    .pop() ?? '';
