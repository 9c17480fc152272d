import { describe, expect, it, vi } from 'vitest';
import type { ClientEvent } from '@downspin/protocol';
import { deliverEvents } from './events-outbox.js';

const click: ClientEvent = { type: 'click', ts: 1, url: 'http://localhost:8080/', target: 'button[data-testid="load-items"]', text: 'Load items' };
const view: ClientEvent = { type: 'page_view', ts: 2, url: 'http://localhost:8080/' };
const target = { sessionId: 'sid', controlUrl: 'http://localhost:8081' };

function deps(overrides: { send?: boolean; fetch?: typeof fetch } = {}) {
  const counts: Record<string, number> = {};
  const sent: unknown[] = [];
  return {
    counts,
    sent,
    deps: {
      send: (message: unknown) => {
        sent.push(message);
        return overrides.send ?? true;
      },
      fetch: overrides.fetch ?? (vi.fn() as unknown as typeof fetch),
      count: (counter: string, by: number) => {
        counts[counter] = (counts[counter] ?? 0) + by;
      },
    },
  };
}

describe('deliverEvents', () => {
  it('sends valid events as one `events` message on the channel', async () => {
    const { deps: d, sent, counts } = deps();
    await expect(deliverEvents([click, view], target, d)).resolves.toBe(2);
    expect(sent).toEqual([{ type: 'events', events: [click, view] }]);
    expect(counts).toEqual({ eventsSent: 2 });
  });

  it('drops and counts events that do not match the protocol, and sends the rest', async () => {
    const { deps: d, sent, counts } = deps();
    const bad = [{ type: 'keystroke', key: 'a' }, { ...click, value: 'secret' }, null, 'x'];
    await deliverEvents([...bad, view], target, d);
    expect(sent).toEqual([{ type: 'events', events: [view] }]);
    expect(counts).toEqual({ eventsDropped: 4, eventsSent: 1 });
  });

  it('posts to /events with the session id when the channel is down', async () => {
    const fetch = vi.fn().mockResolvedValue(new Response('{"accepted":1}', { status: 202 }));
    const { deps: d, counts } = deps({ send: false, fetch: fetch as unknown as typeof globalThis.fetch });
    await expect(deliverEvents([click], target, d)).resolves.toBe(1);
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('http://localhost:8081/events');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string)).toEqual({ sessionId: 'sid', events: [click] });
    expect(counts).toEqual({ eventsPosted: 1 });
  });

  it('counts the batch as dropped when neither way works', async () => {
    const refused = vi.fn().mockResolvedValue(new Response('{}', { status: 403 }));
    const { deps: d1, counts: c1 } = deps({ send: false, fetch: refused as unknown as typeof fetch });
    await expect(deliverEvents([click, view], target, d1)).resolves.toBe(0);
    expect(c1).toEqual({ eventsDropped: 2 });
    const down = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'));
    const { deps: d2, counts: c2 } = deps({ send: false, fetch: down as unknown as typeof fetch });
    await expect(deliverEvents([click], target, d2)).resolves.toBe(0);
    expect(c2).toEqual({ eventsDropped: 1 });
  });
});
