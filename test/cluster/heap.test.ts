import { describe, expect, it } from '@jest/globals';
import { heapMode, preferSmallHeap } from '../../src/cluster/heap.js';

describe('heap sizing for cluster-wide lists', () => {
  it('keeps the young generation small once a cluster-wide load starts, once', () => {
    expect(heapMode()).toBe('default');
    preferSmallHeap();
    expect(heapMode()).toBe('small');
    preferSmallHeap();
    expect(heapMode()).toBe('small');
  });
});
