// The README's samples are what kdiag prints on the local cluster's scenario (ages, durations,
// generated names, Pod IPs normalised; see scripts/readme-samples.mjs). After changing an
// output: `npm run readme:samples` rewrites them.
import { readFileSync } from 'node:fs';
import { comparable, README, sampleBlocks, sampleMatches } from '../../scripts/readme-samples.mjs';

const blocks = sampleBlocks(readFileSync(README, 'utf8'));

describe('README samples', () => {
  it('has generated samples, the first one the README opens with', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(blocks[0]!.command).toBe('kdiag check -n production');
    // Each block starts with its command line, as a terminal shows it.
    for (const b of blocks) expect(b.text.split('\n')[0]).toBe(`$ ${b.command}`);
  });

  it.each(blocks.map((b) => [b.command, b.text]))('`%s` prints what the README shows', async (command, text) => {
    const { ok, actual } = await sampleMatches(command, text);
    if (!ok) expect(comparable(actual)).toBe(comparable(text));
    expect(ok).toBe(true);
  });
});
