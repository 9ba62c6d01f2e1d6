// Memory and GC time on big clusters. A cluster-wide list parses tens of megabytes of JSON;
// list() parses each page item by item and keeps a trimmed copy (src/cluster/page.ts), so
// nearly everything parsed is garbage within microseconds. By default V8 then grows its
// young generation (to 64 MB per semi-space) and keeps pages' text and buffers alive
// until a later collection: 10,000 Pods took 360 MB of RSS. Kept at its initial size, the
// young generation is collected often and cheaply (each collection copies only the little
// that is still alive), what is kept is promoted early, and the old generation grows only
// with the data kdiag keeps, so its full collections stay few (3 at 20,000 Pods).
// The earlier `--optimize-for-size` did keep memory low, but with full collections at every
// small growth of the heap: 2.6 s of a 5.7 s CPU run at 20,000 Pods, quadratic in the load.
// The flag is read whenever V8 would grow the young generation, so setting it as a
// cluster-wide load starts is enough.
import v8 from 'node:v8';

let mode: 'default' | 'small' = 'default';

/** Before a cluster-wide load: keep the young generation at its initial size. */
export function preferSmallHeap(): void {
  if (mode !== 'default') return;
  mode = 'small';
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

export function heapMode(): typeof mode {
  return mode;
}
