import { describe, expect, it } from '@jest/globals';
import { hasFinalLine } from '../../src/cluster/probe-runner.js';

describe("the probe script's last line", () => {
  const marker = 'KDIAGn0nce123 done ';
  it.each([
    ['KDIAGn0nce123 end 2\nKDIAGn0nce123 done 3\n', true],
    ['KDIAGn0nce123 done 0\n', true],
    // Not yet complete: the line may still be arriving.
    ['KDIAGn0nce123 end 2\nKDIAGn0nce123 done 3', false],
    ['KDIAGn0nce123 end 2\n', false],
    // Only at the start of a line: an answer cannot end the probe by quoting the marker.
    ['Name: x KDIAGn0nce123 done 3\n', false],
    ['', false],
  ])('%j → %s', (log, expected) => {
    expect(hasFinalLine(log, marker)).toBe(expected);
  });
});
