import { ClientEventSchema, MAX_CLIENT_EVENT_BATCH, type ClientEvent, type ClientToServer } from '@downspin/protocol';
import { eventsUrl } from '../shared/origins.js';

export interface OutboxDeps {
  /** Sends on the command channel; false when it is not open. */
  send: (message: ClientToServer) => boolean;
  fetch: typeof fetch;
  count: (counter: 'eventsSent' | 'eventsPosted' | 'eventsDropped', by: number) => void;
}

/**
 * Delivers a batch of client events captured in a page: checked one by one
 * against the protocol's schema (the invalid ones are dropped and counted),
 * then sent as `events` on the channel, or by `POST /events` when the socket
 * is down. A batch that cannot be delivered either way is dropped and counted.
 */
export async function deliverEvents(events: readonly unknown[], target: { sessionId: string; controlUrl: string }, deps: OutboxDeps): Promise<number> {
  const valid: ClientEvent[] = [];
  for (const event of events.slice(0, MAX_CLIENT_EVENT_BATCH)) {
    const parsed = ClientEventSchema.safeParse(event);
    if (parsed.success) valid.push(parsed.data);
  }
  const invalid = events.length - valid.length;
  if (invalid > 0) deps.count('eventsDropped', invalid);
  if (valid.length === 0) return 0;

  if (deps.send({ type: 'events', events: valid })) {
    deps.count('eventsSent', valid.length);
    return valid.length;
  }
  try {
    const res = await deps.fetch(eventsUrl(target.controlUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: target.sessionId, events: valid }),
      credentials: 'omit',
      signal: AbortSignal.timeout(10_000),
    });
    if (res.ok) {
      deps.count('eventsPosted', valid.length);
      return valid.length;
    }
  } catch {
    // The control API is unreachable: fall through and count the loss.
  }
  deps.count('eventsDropped', valid.length);
  return 0;
}
