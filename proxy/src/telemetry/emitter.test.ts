import type { RequestRow } from '@downspin/protocol';
import { collector } from '@downspin/testing';
import { describe, expect, it } from 'vitest';
import { TelemetryEmitter } from './emitter.js';
import { MemoryTelemetrySink } from './sink.js';

const row = (path: string, host = 'app.test'): RequestRow =>
  ({ ts: 1, sessionHash: 'abcdefabcdef', proxyId: 'p', method: 'GET', host, path, route: '', status: 200, upstreamMs: 1, totalMs: 2, injectedMs: 0, bytesIn: 1, bytesOut: 1, shaping: '', shapingVersion: 0, fault: '', error: '', country: '' }) as RequestRow;

describe('TelemetryEmitter', () => {
  it('fills route and country off the request path, the same for a path seen before, a new one and a long one', () => {
    const sink = new MemoryTelemetrySink();
    const emitter = new TelemetryEmitter({ sink, countryOf: (ip) => (ip === '127.0.0.1' ? 'LO' : 'US') });
    const long = `/files/${'z'.repeat(300)}/7`;
    // Past the remembered paths (4,096): the cache starts afresh and answers stay right.
    const paths = ['/users/42/orders', ...Array.from({ length: 5000 }, (_, i) => `/items/${i}/x${i}`), '/users/42/orders', long, long];
    for (const path of paths) emitter.request(row(path), path === long ? '8.8.8.8' : '127.0.0.1');
    const routes = sink.requests.map((r) => r.route);
    expect(routes[0]).toBe('/users/:id/orders');
    expect(routes[1]).toBe('/items/:id/x0');
    expect(routes[5001]).toBe('/users/:id/orders');
    expect(routes.slice(-2)).toEqual([`/files/${'z'.repeat(300)}/:id`, `/files/${'z'.repeat(300)}/:id`]);
    expect(sink.requests.map((r) => r.country).slice(-3)).toEqual(['LO', 'US', 'US']);
    // The row keeps a remembered copy of its path (a string that outlives the request's): the same text.
    expect(sink.requests.map((r) => r.path)).toEqual(paths);
  });

  it("keeps each row's host as sent, past the remembered hosts (256) and back to one seen before", () => {
    const sink = new MemoryTelemetrySink();
    const emitter = new TelemetryEmitter({ sink, countryOf: () => 'LO' });
    const hosts = ['app.test', ...Array.from({ length: 300 }, (_, i) => `h${i}.test:8080`), 'app.test', ''];
    for (const host of hosts) emitter.request(row('/', host), '127.0.0.1');
    expect(sink.requests.map((r) => r.host)).toEqual(hosts);
  });

  it('keeps no row holding on to the request target its path was cut from', () => {
    const gc = collector();
    const sink = new MemoryTelemetrySink(4000);
    const emitter = new TelemetryEmitter({ sink, countryOf: () => 'LO' });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2000; i++) {
      const target = `/items/${i}/detail?q=${'x'.repeat(64 * 1024)}${i}`;
      emitter.request(row(target.slice(0, target.indexOf('?'))), '127.0.0.1');
    }
    gc();
    // The 2,000 targets are 128 MiB; their paths, a few dozen KiB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 2 ** 20);
    expect(sink.requests.at(-1)!.path).toBe('/items/1999/detail');
  });
});
