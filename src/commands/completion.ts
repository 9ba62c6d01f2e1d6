// `kdiag completion bash|zsh`: prints a completion script for commands, flags, flag values
// and namespaces of the current context. Reads the manifest only; no command is loaded.
import { Args, Command } from '@oclif/core';

export default class Completion extends Command {
  static override summary = 'Print a bash or zsh completion script (commands, flags, namespaces), or the one for `kubectl kdiag`.';
  static override description = `Completes command names, flags, fixed flag values (-o, --fail-on, finding codes of docs) and, for -n/--namespace and --context, the namespaces and contexts of the kubeconfig on the command line (or the current one).

bash: add to ~/.bashrc
  source <(<%= config.bin %> completion bash)
zsh: add to ~/.zshrc (after compinit)
  source <(<%= config.bin %> completion zsh)
kubectl kdiag: kubectl's completion completes plugins through an executable kubectl_complete-kdiag on PATH
  <%= config.bin %> completion kubectl-plugin > ~/.local/bin/kubectl_complete-kdiag && chmod +x ~/.local/bin/kubectl_complete-kdiag`;

  static override examples = [
    { description: 'Enable completion in the current bash', command: 'source <(<%= config.bin %> completion bash)' },
    { description: 'Install it for zsh', command: '<%= config.bin %> completion zsh > "${fpath[1]}/_<%= config.bin %>"' },
  ];

  static override args = {
    shell: Args.string({ description: 'The shell, or kubectl-plugin for `kubectl kdiag <Tab>`.', options: ['bash', 'zsh', 'kubectl-plugin'], required: true }),
  };

  public async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const [{ completionSpec }, { bashScript, kubectlPluginScript, zshScript }, { CODES }] = await Promise.all([
      import('../completion/spec.js'),
      import('../completion/scripts.js'),
      import('../report/codes.js'),
    ]);
    // The script completes the `kdiag` command, also when printed by `kubectl kdiag completion`.
    const bin = this.config.bin.split(' ').at(-1)!;
    const spec = completionSpec(bin, this.config.commands, { docs: Object.keys(CODES).sort() });
    const script = args.shell === 'zsh' ? zshScript(spec) : args.shell === 'kubectl-plugin' ? kubectlPluginScript(spec) : bashScript(spec);
    this.log(script.trimEnd());
  }
}
