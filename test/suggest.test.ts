import { describe, expect, it } from '@jest/globals';
import { didYouMean, editDistance, nearestNames } from '../src/suggest.js';

describe('did you mean', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('crat', 'cart')).toBe(1);
    expect(editDistance('cart', 'cart')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('offers the nearest names, closest first, at most three', () => {
    expect(nearestNames('crat', ['cart', 'payments', 'cache'])).toEqual(['cart']);
    expect(nearestNames('prodution', ['production', 'staging', 'product'])).toEqual(['production']);
    expect(nearestNames('web-1', ['web-12', 'web-2', 'web'])).toEqual(['web-12', 'web-2']);
    expect(nearestNames('api', ['api-service', 'api-v2-service', 'web'])).toEqual(['api-service', 'api-v2-service']);
    expect(nearestNames('a', ['b', 'c', 'd', 'e'])).toEqual(['b', 'c', 'd']);
    expect(nearestNames('zzzz', ['cart', 'payments'])).toEqual([]);
    // The typed name itself is no suggestion.
    expect(nearestNames('cart', ['cart'])).toEqual([]);
  });

  it('reads as the tail of a one-line error', () => {
    expect(didYouMean('crat', ['cart'])).toBe('; did you mean cart?');
    expect(didYouMean('web-1', ['web-2', 'web-3'])).toBe('; did you mean web-2 or web-3?');
    expect(didYouMean('nowhere', ['production'])).toBe('');
  });
});
