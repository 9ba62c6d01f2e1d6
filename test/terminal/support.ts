// What the terminal tests share: one fake cluster made of the unit fixtures, and every
// command and example from the manifest (the `--help` a person reads).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFixture, type K8sObject } from '../support/fixtures.js';
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
    (c.examples ?? []).map((e) => ({ command: c.id.replace(/:/g, ' '), line: (typeof e === 'string' ? e : e.command).replace(/<%= config\.bin %>/g, 'kdiag') })),
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
