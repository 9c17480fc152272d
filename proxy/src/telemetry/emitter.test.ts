import type { RequestRow } from '@downspin/protocol';
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
});
