// Memory on big clusters. A cluster-wide list parses tens of megabytes of JSON that become
// garbage page by page; by default V8 then grows its heap far beyond the data kdiag keeps
// (10,000 Pods: peak RSS 360 MB, live data under 30 MB). With --optimize-for-size V8 collects
// before it grows: about 205 MB for the same run. But each of those full collections walks
// everything kept so far, so their cost grows with the square of the cluster: at 80,000 Pods
// they took 11.6 s of a 37 s run. Once the kept data passes LARGE_HEAP_BYTES (beyond the
// 20,000-Pod load; the check runs after each list page), kdiag lets V8 grow the heap again:
// memory then grows with the cluster and time stays linear. Both flags are read at each
// collection, so switching them while the lists arrive is enough.
import v8 from 'node:v8';

const LARGE_HEAP_BYTES = 128 * 1024 * 1024;

/** How V8 is told to size the heap: its default, small (cluster-wide lists) or grown again. */
let mode: 'default' | 'small' | 'large' = 'default';

export function preferSmallHeap(): void {
  if (mode !== 'default') return;
  mode = 'small';
  v8.setFlagsFromString('--optimize-for-size');
}

/**
 * After each list page: stop collecting before growing once the heap holds a big cluster.
 * Returns true when this call let the heap grow again.
 */
export function checkHeapSize(usedBytes = v8.getHeapStatistics().used_heap_size): boolean {
  if (mode !== 'small' || usedBytes < LARGE_HEAP_BYTES) return false;
  mode = 'large';
  v8.setFlagsFromString('--no-optimize-for-size');
  return true;
}

export function heapMode(): typeof mode {
  return mode;
}
