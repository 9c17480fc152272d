import type { NotifyType } from '@downspin/protocol';

/** Messages the background sends to content scripts (`tabs.sendMessage`). */
export type PageMessage =
  | { downspin: 'toast'; id: string; message: string; level: NotifyType }
  | { downspin: 'terminated'; reason: string }
  | { downspin: 'capture'; enabled: boolean; batchSize: number; flushIntervalMs: number }
  /** Consent was revoked: remove anything shown and stop capturing. */
  | { downspin: 'stop' };

const LEVELS = new Set<string>(['info', 'success', 'warning', 'error']);
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;

/**
 * Checks a message that reached a content script. It only ever comes from our
 * background, but the content script stays small (no schema library), so the
 * shape is checked by hand.
 */
export function asPageMessage(value: unknown): PageMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.downspin) {
    case 'toast':
      return isText(m.id, 64) && isText(m.message, 500) && typeof m.level === 'string' && LEVELS.has(m.level)
        ? { downspin: 'toast', id: m.id, message: m.message, level: m.level as NotifyType }
        : undefined;
    case 'terminated':
      return isText(m.reason, 500) ? { downspin: 'terminated', reason: m.reason } : undefined;
    case 'capture':
      return typeof m.enabled === 'boolean' && isCount(m.batchSize) && isCount(m.flushIntervalMs)
        ? { downspin: 'capture', enabled: m.enabled, batchSize: m.batchSize, flushIntervalMs: m.flushIntervalMs }
        : undefined;
    case 'stop':
      return { downspin: 'stop' };
    default:
      return undefined;
  }
}
