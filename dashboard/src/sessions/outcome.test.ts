import { describe, expect, it } from 'vitest';
import { describeApplied } from './outcome.js';

describe('describeApplied', () => {
  it('says who applied a change and who did not', () => {
    expect(describeApplied({ version: 2, acknowledged: true, appliedBy: ['a', 'b'], pending: [] })).toEqual({ kind: 'success', text: 'applied by 2 proxies' });
    expect(describeApplied({ version: 2, acknowledged: true, appliedBy: ['a'], pending: [] })).toEqual({ kind: 'success', text: 'applied by 1 proxy' });
    expect(describeApplied({ version: 2, acknowledged: false, appliedBy: ['a'], pending: ['proxy-b'] })).toEqual({
      kind: 'warning',
      text: 'applied by 1 proxy, not yet confirmed by proxy-b',
    });
    expect(describeApplied({ version: 2, acknowledged: true, appliedBy: [], pending: [] }).text).toMatch(/no proxy is running/);
  });
});
