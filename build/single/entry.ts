// Entry point of the single-file build (esbuild bundle → Node single executable). oclif
// normally finds commands through package.json, the manifest and import() of files in
// dist; a single executable has no such files, so this entry hands oclif everything in
// memory: package.json (inlined), the command classes (an explicit command index) and the
// help class, by answering oclif's module loader for those two targets.
import { basename, dirname } from 'node:path';
import { ModuleLoader, flush, handle, run, settings } from '@oclif/core';
import pkg from '../../package.json' with { type: 'json' };
// A module the build script generates: `export const COMMANDS = { id: CommandClass, … }`.
import { COMMANDS } from 'kdiag:commands';
import * as help from '../../src/help.js';

const COMMANDS_TARGET = './kdiag-commands.js';
const HELP_TARGET = './kdiag-help.js';

settings.enableAutoTranspile = false;
const loader = ModuleLoader as unknown as Record<string, (config: unknown, path: string) => Promise<unknown>>;
const inMemory = async (_config: unknown, path: string): Promise<unknown> => {
  if (path.endsWith(COMMANDS_TARGET.slice(2))) return { COMMANDS };
  if (path.endsWith(HELP_TARGET.slice(2))) return help;
  throw new Error(`kdiag (single executable): cannot load ${path}`);
};
loader.load = inMemory;
loader.loadWithData = async (config, path) => ({ filePath: path, isESM: false, module: await inMemory(config, path) });

declare const __dirname: string | undefined;

async function main(): Promise<void> {
  // Installed by krew as kubectl-kdiag: help and examples then say `kubectl kdiag`.
  const bin = basename(process.execPath) === 'kubectl-kdiag' ? 'kubectl kdiag' : pkg.oclif.bin;
  const pjson = {
    ...pkg,
    oclif: { ...pkg.oclif, bin, commands: { strategy: 'explicit', target: COMMANDS_TARGET, identifier: 'COMMANDS' }, helpClass: HELP_TARGET },
  };
  // The bundle's folder (kdiag.cjs finds docs/checks there); the executable's for the SEA.
  const root = typeof __dirname === 'string' ? __dirname : dirname(process.execPath);
  // Load options, not a Config: run() would load a Config it is given a second time.
  await run(process.argv.slice(2), { root, pjson: pjson as never, ignoreManifest: true });
  await flush();
}

main().catch(async (error: Error) => handle(error));
