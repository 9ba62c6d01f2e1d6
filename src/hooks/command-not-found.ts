// An unknown command is bad input like any other: one sentence, exit 2.
import type { Hook } from '@oclif/core';

const hook: Hook<'command_not_found'> = async function (options) {
  const commands = options.config.commandIDs.filter((id) => !id.startsWith('__')).map((id) => id.replace(/:/g, ' '));
  process.stderr.write(`kdiag: unknown command "${options.id.replace(/:/g, ' ')}": commands are ${commands.sort().join(', ')} (see kdiag --help)\n`);
  process.exit(2);
};

export default hook;
