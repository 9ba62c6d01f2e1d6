// Hidden helper of the completion scripts: prints the namespaces (or contexts) of the
// kubeconfig, one per line. Never prints an error: a Tab must not spill text into the prompt.
import { Args, Command, Flags } from '@oclif/core';

export default class CompleteValues extends Command {
  static override hidden = true;
  static override summary = 'Values for shell completion: namespaces or contexts, one per line.';

  static override args = {
    kind: Args.string({ options: ['namespaces', 'contexts'], required: true }),
  };

  static override flags = {
    kubeconfig: Flags.string(),
    context: Flags.string(),
  };

  public async run(): Promise<void> {
    const { args, flags } = await this.parse(CompleteValues);
    try {
      const names = args.kind === 'contexts' ? await contexts(flags) : await namespaces(flags);
      if (names.length) process.stdout.write(`${names.join('\n')}\n`);
    } catch {
      // Nothing to offer (no kubeconfig, API unreachable, forbidden): complete nothing.
    }
  }
}

async function contexts(options: { kubeconfig?: string; context?: string }): Promise<string[]> {
  const { loadKubeConfig } = await import('../cluster/kubeconfig.js');
  return loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context })
    .kc.getContexts()
    .map((c) => c.name);
}

async function namespaces(options: { kubeconfig?: string; context?: string }): Promise<string[]> {
  const { ClusterClient } = await import('../cluster/client.js');
  // A short limit: completion waits for it, and no retries.
  const client = new ClusterClient({ ...options, requestTimeoutMs: 3000, maxRetries: 0 });
  const list = await client.list('namespaces');
  return list
    .map((n) => n.metadata?.name ?? '')
    .filter(Boolean)
    .sort();
}
