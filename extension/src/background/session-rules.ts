import { SESSION_HEADER } from '@downspin/protocol';
import type { DeclarativeNetRequest } from 'webextension-polyfill';
import { socketOrigin } from '../shared/origins.js';

/** Resource types both browsers know. */
const COMMON_TYPES = ['main_frame', 'sub_frame', 'stylesheet', 'script', 'image', 'font', 'object', 'xmlhttprequest', 'ping', 'csp_report', 'media', 'websocket', 'other'] as const;
/** Each browser refuses the other's extra types, so each gets its own list. */
const EXTRA_TYPES = {
  chrome: ['webtransport', 'webbundle'],
  firefox: ['object_subrequest', 'xslt', 'beacon', 'xml_dtd', 'imageset', 'web_manifest', 'speculative'],
} as const;

export type BrowserFamily = keyof typeof EXTRA_TYPES;

/** Every resource type of the browser: pages, frames, fetch/XHR, WebSockets, everything. */
export function allResourceTypes(browser: BrowserFamily): DeclarativeNetRequest.ResourceType[] {
  return [...COMMON_TYPES, ...EXTRA_TYPES[browser]] as DeclarativeNetRequest.ResourceType[];
}

/**
 * declarativeNetRequest session rules that set `x-downspin-session` on every
 * request to the proxy origins and nowhere else. Two rules per origin: its
 * http(s) URLs and its ws(s) URLs. The resource types are listed: leaving
 * them out (or an empty exclusion list, in Chrome) skips main_frame.
 */
export function buildSessionRules(
  sessionId: string,
  origins: readonly string[],
  browser: BrowserFamily,
  forwardHosts: readonly string[] = [],
): DeclarativeNetRequest.Rule[] {
  const resourceTypes = allResourceTypes(browser);
  const rules: DeclarativeNetRequest.Rule[] = [];
  // Hosts routed through downspin (forward mode): every scheme and port of exactly that host name.
  for (const host of forwardHosts) {
    rules.push({
      id: rules.length + 1,
      priority: 1,
      action: { type: 'modifyHeaders', requestHeaders: [{ header: SESSION_HEADER, operation: 'set', value: sessionId }] },
      condition: { regexFilter: forwardHostRegex(host), resourceTypes },
    });
  }
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
        condition: { urlFilter: `|${base}/`, resourceTypes },
      });
    }
  }
  return rules;
}

/** `^(https?|wss?)://api\.example\.com(:port)?/`: the host name exactly, any port (hosts are checked names: only `.` needs escaping). */
export function forwardHostRegex(host: string): string {
  return `^(https?|wss?)://${host.replaceAll('.', '\\.')}(:[0-9]+)?/`;
}

type RulesApi = Pick<DeclarativeNetRequest.Static, 'getSessionRules' | 'updateSessionRules'>;

/** Replaces every session rule of the extension with `rules` (none: the header stops). */
export async function replaceSessionRules(dnr: RulesApi, rules: DeclarativeNetRequest.Rule[]): Promise<void> {
  const existing = await dnr.getSessionRules();
  await dnr.updateSessionRules({ removeRuleIds: existing.map((rule) => rule.id), addRules: rules });
}
