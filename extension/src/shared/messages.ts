import { sendToBackground, type MessageName } from '@plasmohq/messaging';
import type { ClientEvent } from '@downspin/protocol';
import type { ExtensionState } from './state.js';

/** What a content script needs to know about its page. */
export type PageConfig =
  | { active: false }
  | { active: true; capture: boolean; batchSize: number; flushIntervalMs: number; terminated: string | null };

/**
 * Messages to the background, one handler file each in
 * `src/background/messages/<name>.ts` (Plasmo messaging).
 */
export interface BackgroundMessages {
  'get-state': { req: undefined; res: ExtensionState };
  consent: { req: undefined; res: ExtensionState };
  revoke: { req: undefined; res: ExtensionState };
  'set-capture': { req: { enabled: boolean }; res: ExtensionState };
  'page-config': { req: undefined; res: PageConfig };
  'client-events': { req: { events: ClientEvent[] }; res: { accepted: number } };
}
export type BackgroundMessageName = keyof BackgroundMessages;
export type RequestOf<N extends BackgroundMessageName> = BackgroundMessages[N]['req'];
export type ResponseOf<N extends BackgroundMessageName> = BackgroundMessages[N]['res'];

/**
 * Sends a typed message to the background and resolves to its answer.
 *
 * @example const state = await ask('get-state', undefined);
 */
export function ask<N extends BackgroundMessageName>(name: N, body: RequestOf<N>): Promise<ResponseOf<N>> {
  // Plasmo types message names from a file it generates at build time; ours are typed above.
  return sendToBackground<RequestOf<N>, ResponseOf<N>>({ name: name as unknown as MessageName, body });
}
