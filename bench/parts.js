// One part of what every kdiag command loads before its own code, alone in a Node process, with
// Node's compile cache as bin/run.js enables it (so the figure is a warm start, like kdiag's):
//   node bench/parts.js oclif        @oclif/core (dist/vendor/oclif.cjs) and its Config for kdiag
//   node bench/parts.js client-node  the client-node bundle (dist/cluster/k8s.js)
// `npm run bench` subtracts `node -e 0` from each to get the part's own cost.
import module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kdiag', 'compile-cache'));
const part = process.argv[2];
if (part === 'oclif') {
  const { Config } = await import(join(ROOT, 'dist', 'vendor', 'oclif.js'));
  await Config.load(ROOT);
} else if (part === 'client-node') {
  await import(join(ROOT, 'dist', 'cluster', 'k8s.js'));
} else {
  process.stderr.write('usage: node bench/parts.js oclif|client-node\n');
  process.exit(2);
}
