import { describe, expect, it } from 'vitest';
import { cookielessChecks } from './cookieless.js';

describe('cookielessChecks', () => {
  it('compares the last two windows with the best of the first two', () => {
    // Before the fix: throughput halved as the table filled and made room.
    const falling = cookielessChecks([6_135, 7_153, 6_040, 6_223, 6_740, 5_580, 4_752, 4_801, 3_715, 3_715]);
    expect(falling.checks).toEqual([expect.objectContaining({ value: '0.52', pass: false })]);
    const holding = cookielessChecks([6_712, 7_356, 7_593, 7_755, 7_584, 7_303, 6_917, 6_926, 7_247, 7_712]);
    expect(holding.checks).toEqual([expect.objectContaining({ value: '1.02', pass: true })]);
    expect(holding.lines[0]).toContain('6,712, 7,356');
  });

  it('prints the windows without a check when too few ran to fill the table (quick runs)', () => {
    expect(cookielessChecks([7_000, 7_100]).checks).toEqual([]);
  });
});
