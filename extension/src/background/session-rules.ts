import { SESSION_HEADER } from '@downspin/protocol';
import type { DeclarativeNetRequest } from 'webextension-polyfill';
import { socketOrigin } from '../shared/origins.js';

/**
 * declarativeNetRequest session rules that set `x-downspin-session` on every
 * request to the proxy origins (pages, frames, fetch/XHR, WebSockets,
 * everything) and nowhere else. Two rules per origin: its http(s) URLs and
 * its ws(s) URLs.
 *
 * An empty `excludedResourceTypes` matches every resource type including
 * main_frame (leaving both lists out would skip main_frame), and works on
 * Chrome and Firefox alike, whose lists of types differ.
 */
export function buildSessionRules(sessionId: string, origins: readonly string[]): DeclarativeNetRequest.Rule[] {
  const rules: DeclarativeNetRequest.Rule[] = [];
  for (const origin of origins) {
    for (const base of [origin, socketOrigin(origin)]) {
      rules.push({
        id: rules.length + 1,
        priority: 1,
        action: {
          type: 'modifyHeaders',
          requestHeaders: [{ header: SESSION_HEADER, operation: 'set', value: sessionId }],
        },
        // "|" anchors at the start, the trailing "/" ends the origin: http://localhost:8080 does not match :80800.
        condition: { urlFilter: `|${base}/`, excludedResourceTypes: [] },
      });
    }
  }
  return rules;
}

type RulesApi = Pick<DeclarativeNetRequest.Static, 'getSessionRules' | 'updateSessionRules'>;

/** Replaces every session rule of the extension with `rules` (none: the header stops). */
export async function replaceSessionRules(dnr: RulesApi, rules: DeclarativeNetRequest.Rule[]): Promise<void> {
  const existing = await dnr.getSessionRules();
  await dnr.updateSessionRules({ removeRuleIds: existing.map((rule) => rule.id), addRules: rules });
}
