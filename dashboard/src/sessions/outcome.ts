import type { ApplyResult } from '@downspin/protocol';
import type { NoticeKind } from '../app/notices.js';

const proxies = (n: number) => `${n} ${n === 1 ? 'proxy' : 'proxies'}`;

/**
 * Words for how a shaping change landed: every live proxy applied it, none
 * is running (it is stored and applies when one starts), or some did not
 * confirm in time (named, as a warning).
 */
export function describeApplied(applied: ApplyResult): { kind: NoticeKind; text: string } {
  if (applied.pending.length > 0) {
    return {
      kind: 'warning',
      text: `applied by ${proxies(applied.appliedBy.length)}, not yet confirmed by ${applied.pending.join(', ')}`,
    };
  }
  if (applied.appliedBy.length === 0) return { kind: 'info', text: 'saved; no proxy is running to apply it yet' };
  return { kind: 'success', text: `applied by ${proxies(applied.appliedBy.length)}` };
}
