import type { ActivityItem } from './store.js';

/**
 * Folds a later report of the same session into `into`: counts add up, first
 * seen is the earliest (0 means "not seen" and never wins), last seen the
 * latest, a non-empty user agent, browser or country replaces the one before,
 * and a ban lasts until the later end. Used where reports are batched (the
 * control API's ingestor) and where a batch is written (one row per session).
 */
export function foldActivity(into: ActivityItem, item: ActivityItem): void {
  into.firstSeen = into.firstSeen === 0 ? item.firstSeen : Math.min(into.firstSeen, item.firstSeen || into.firstSeen);
  into.lastSeen = Math.max(into.lastSeen, item.lastSeen);
  into.requests += item.requests;
  into.bytesIn += item.bytesIn;
  into.bytesOut += item.bytesOut;
  into.violations += item.violations;
  if (item.userAgent !== '') into.userAgent = item.userAgent;
  if (item.browser !== '') into.browser = item.browser;
  if (item.country !== '') into.country = item.country;
  if (item.bannedUntil !== undefined) into.bannedUntil = Math.max(into.bannedUntil ?? 0, item.bannedUntil);
}
