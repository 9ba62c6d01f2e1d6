import { Flags } from '@oclif/core';
import { EXIT_CODES_TEXT, KdiagCommand } from '../base-command.js';
import type { LeftoverObject } from '../cluster/probe-runner.js';

export default class Cleanup extends KdiagCommand<typeof Cleanup> {
  static override summary = 'Delete the probe Jobs and pods kdiag left behind.';
  static override description = `Lists every Job and Pod labelled app.kubernetes.io/managed-by=kdiag (probes of kdiag dns and kdiag connectivity, e.g. kept with --keep or left by a killed kdiag) and deletes them. Without -n or -A it looks in the context's namespace. The cluster also removes such Jobs on its own (ttlSecondsAfterFinished), so this is for the impatient and for --keep.

EXIT CODES
${EXIT_CODES_TEXT}`;

  static override examples = [
    { description: 'What would be deleted, everywhere', command: '<%= config.bin %> cleanup -A --dry-run' },
    { description: 'Delete kdiag probes in production', command: '<%= config.bin %> cleanup -n production' },
  ];

  static override flags = {
    'dry-run': Flags.boolean({ description: 'Only list what would be deleted.', default: false }),
  };

  public async run(): Promise<void> {
    const client = await this.client();
    const namespace = await this.namespaceScope();
    if (namespace) await client.assertNamespace(namespace);
    const { ProbeRunner } = await import('../cluster/probe-runner.js');
    const runner = new ProbeRunner(client);
    const found = await runner.findLeftovers(namespace);
    const dryRun = this.flags['dry-run'];
    const deleted: LeftoverObject[] = [];
    if (!dryRun) {
      // Jobs first: deleting a Job deletes its pods too; then any pod still there.
      for (const obj of found.filter((o) => o.kind === 'Job')) {
        await runner.deleteLeftover(obj);
        deleted.push(obj);
      }
      for (const obj of found.filter((o) => o.kind === 'Pod')) {
        await runner.deleteLeftover(obj);
        deleted.push(obj);
      }
    }
    const report = {
      apiVersion: 'kdiag/v1' as const,
      kind: 'CleanupReport',
      context: client.contextName,
      namespace: namespace ?? null,
      dryRun,
      objects: found.map((o) => ({ ...o, action: dryRun ? 'would delete' : 'deleted' })),
      findings: [],
    };
    await this.emit(report, () => this.human(found, dryRun, namespace), { findings: false });
  }

  private human(found: LeftoverObject[], dryRun: boolean, namespace: string | undefined): string {
    if (found.length === 0) return `No kdiag probe objects found in ${namespace ? `namespace ${namespace}` : 'any namespace'}.`;
    const rows = found.map((o) => [o.namespace, `${o.kind.toLowerCase()}/${o.name}`, o.status, o.created ?? '', dryRun ? 'would delete' : 'deleted']);
    const table = this.table(['NAMESPACE', 'OBJECT', 'STATUS', 'CREATED', 'ACTION'], rows);
    return `${table}\n${dryRun ? `${found.length} object(s) would be deleted (--dry-run).` : `${found.length} object(s) deleted.`}`;
  }
}
