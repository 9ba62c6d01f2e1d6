// `kdiag completion bash|zsh`: prints a completion script for commands, flags, flag values
// and namespaces of the current context. Reads the manifest only; no command is loaded.
import { Args, Command } from '@oclif/core';

export default class Completion extends Command {
  static override summary = 'Print a bash or zsh completion script (commands, flags, namespaces).';
  static override description = `Completes command names, flags, fixed flag values (-o, --fail-on, finding codes of docs) and, for -n/--namespace and --context, the namespaces and contexts of the kubeconfig on the command line (or the current one).

bash: add to ~/.bashrc
  source <(<%= config.bin %> completion bash)
zsh: add to ~/.zshrc (after compinit)
  source <(<%= config.bin %> completion zsh)`;

  static override examples = [
    { description: 'Enable completion in the current bash', command: 'source <(<%= config.bin %> completion bash)' },
    { description: 'Install it for zsh', command: '<%= config.bin %> completion zsh > "${fpath[1]}/_<%= config.bin %>"' },
  ];

  static override args = {
    shell: Args.string({ description: 'The shell.', options: ['bash', 'zsh'], required: true }),
  };

  public async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const [{ completionSpec }, { bashScript, zshScript }, { CODES }] = await Promise.all([
      import('../completion/spec.js'),
      import('../completion/scripts.js'),
      import('../report/codes.js'),
    ]);
    // The script completes the `kdiag` command, also when printed by `kubectl kdiag completion`.
    const bin = this.config.bin.split(' ').at(-1)!;
    const spec = completionSpec(bin, this.config.commands, { docs: Object.keys(CODES).sort() });
    this.log((args.shell === 'zsh' ? zshScript(spec) : bashScript(spec)).trimEnd());
  }
}
