// An unknown command is bad input like any other: one sentence with the nearest commands, exit 2.
import type { Hook } from '@oclif/core';
import { nearestNames } from '../suggest.js';

const hook: Hook<'command_not_found'> = async function (options) {
  const commands = options.config.commandIDs.filter((id) => !id.startsWith('__')).map((id) => id.replace(/:/g, ' '));
  const typed = options.id.replace(/:/g, ' ');
  // "endpoint" → "endpoints"; "netpol explian" → "netpol explain": compare with whole command ids.
  const near = nearestNames(typed, commands);
  const hint = near.length ? `did you mean ${near.map((c) => `"${c}"`).join(' or ')}? ` : '';
  process.stderr.write(`kdiag: unknown command "${typed}": ${hint}commands are ${commands.sort().join(', ')} (see kdiag --help)\n`);
  process.exit(2);
};

export default hook;
