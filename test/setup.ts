// jest replaces `console` with a decorating logger; oclif writes through console.log,
// so restore a plain Console bound to the real streams to capture exact command output.
import { Console } from 'node:console';

globalThis.console = new Console({ stdout: process.stdout, stderr: process.stderr });
