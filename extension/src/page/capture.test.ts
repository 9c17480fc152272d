// @vitest-environment happy-dom
import type { ClientEvent } from '@downspin/protocol';
import { ClientEventSchema } from '@downspin/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startCapture } from './capture.js';

beforeEach(() => {
  vi.useFakeTimers();
  window.history.replaceState(null, '', '/start?session=secret#token');
  document.body.innerHTML = '<button data-testid="load-items">Load items</button><input data-testid="name" value="Jane Doe">';
});
afterEach(() => {
  vi.useRealTimers();
});

function capture(batchSize = 100) {
  const batches: ClientEvent[][] = [];
  const handle = startCapture({ window, batchSize, flushIntervalMs: 2000, send: (events) => batches.push(events), urlPollMs: 100 });
  const events = (): ClientEvent[] => batches.flat();
  return { handle, batches, events };
}

const click = (selector: string): void => {
  document.querySelector(selector)!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
};

describe('startCapture', () => {
  it('records a page view without the query or fragment', () => {
    const { events } = capture();
    vi.advanceTimersByTime(2000);
    expect(events()[0]).toMatchObject({ type: 'page_view', url: `${location.origin}/start` });
    expect(JSON.stringify(events())).not.toContain('secret');
  });

  it('sends in batches: 10 events at once, the rest after the flush interval', () => {
    const { batches } = capture(10);
    for (let i = 0; i < 12; i++) click('button');
    // page_view + 9 clicks, then 3 clicks (+ timing) after 2 s.
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(10);
    vi.advanceTimersByTime(2000);
    expect(batches).toHaveLength(2);
    expect(batches[1]!.filter((e) => e.type === 'click')).toHaveLength(3);
  });

  it('describes clicks without input values', () => {
    const { events } = capture();
    click('button');
    click('input');
    vi.advanceTimersByTime(2000);
    const clicks = events().filter((e) => e.type === 'click');
    expect(clicks.map((c) => (c.type === 'click' ? c.target : ''))).toEqual(['button[data-testid="load-items"]', 'input[type="text"][data-testid="name"]']);
    expect(JSON.stringify(events())).not.toContain('Jane');
  });

  it('records in-page navigations (history changes) with where they came from', () => {
    const { events } = capture();
    window.history.pushState(null, '', '/cart?item=1');
    vi.advanceTimersByTime(100);
    window.location.hash = '#/checkout';
    vi.advanceTimersByTime(2000);
    const navigations = events().filter((e) => e.type === 'navigation');
    expect(navigations).toEqual([expect.objectContaining({ type: 'navigation', url: `${location.origin}/cart`, from: `${location.origin}/start` })]);
  });

  it('records unload with the time on the page and sends at once', () => {
    const { batches, events } = capture();
    vi.advanceTimersByTime(1500);
    window.dispatchEvent(new Event('pagehide'));
    const unload = events().find((e) => e.type === 'unload');
    expect(unload).toBeDefined();
    expect(batches.length).toBeGreaterThan(0);
    expect(unload!.type === 'unload' && unload!.timeOnPageMs).toBeGreaterThanOrEqual(0);
  });

  it('only makes events the protocol accepts', () => {
    const { events } = capture();
    click('button');
    window.history.pushState(null, '', '/next');
    vi.advanceTimersByTime(200);
    window.dispatchEvent(new Event('pagehide'));
    for (const event of events()) expect(ClientEventSchema.safeParse(event).success).toBe(true);
  });

  it('stops listening and drops what waits when stopped', () => {
    const { handle, events } = capture();
    click('button');
    handle.stop();
    click('button');
    window.dispatchEvent(new Event('pagehide'));
    vi.advanceTimersByTime(5000);
    expect(events()).toEqual([]);
  });
});
