import { describe, expect, it } from '@jest/globals';
import { checkHeapSize, heapMode, preferSmallHeap } from '../../src/cluster/heap.js';

const MB = 1024 * 1024;

describe('heap sizing for cluster-wide lists', () => {
  it('collects before growing while the data is small, and lets the heap grow once it is large', () => {
    expect(heapMode()).toBe('default');
    // Before a cluster-wide load nothing is switched, whatever the heap holds.
    expect(checkHeapSize(500 * MB)).toBe(false);
    expect(heapMode()).toBe('default');

    preferSmallHeap();
    expect(heapMode()).toBe('small');
    expect(checkHeapSize(64 * MB)).toBe(false);
    expect(heapMode()).toBe('small');

    // Past the threshold (beyond the 20,000-Pod load) once, and only once.
    expect(checkHeapSize(200 * MB)).toBe(true);
    expect(heapMode()).toBe('large');
    expect(checkHeapSize(300 * MB)).toBe(false);
    preferSmallHeap();
    expect(heapMode()).toBe('large');
  });
});
