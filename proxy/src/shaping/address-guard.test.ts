import http from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawConnection } from '@downspin/testing';
import { DEFAULT_ADDRESS_GUARD } from '../options.js';
import { startHarness, type ProxyHarness } from '../test-harness.js';
import { AddressGuard } from './address-guard.js';

/** One request on a fresh connection from `localAddress`, with the given session header (none: a fresh cookie each time). */
function get(url: string, localAddress: string, session?: string): Promise<{ status: number; code: string }> {
  return new Promise((resolve, reject) => {
    const headers = session === undefined ? {} : { 'x-downspin-session': session };
    const req = http.get(`${url}/echo`, { headers, localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: String(res.headers['x-downspin-error'] ?? '') }));
    });
    req.on('error', reject);
  });
}

const tally = (outcomes: { status: number }[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const { status } of outcomes) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
};

describe('per-address guard across session ids (issue 12.7, real sockets)', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    // No refill during the test (one token per 1,000 s): the outcome is decided by the counts alone.
    h = await startHarness({ addressGuard: { enabled: true, rps: 0.001, burst: 5, maxViolations: 10, banMs: 60_000 } });
  });
  afterAll(async () => h.close());

  it('limits and then bans an address that rotates session ids, and only that address', async () => {
    const outcomes = [];
    for (let i = 0; i < 30; i++) {
      // Alternate: a new explicit id each time, and no id at all (a fresh cookie each time).
      outcomes.push(await get(h.proxy.url, '127.0.0.1', i % 2 === 0 ? `rotating-${i}` : undefined));
    }
    expect(tally(outcomes)).toEqual({ 200: 5, 429: 10, 403: 15 });
    expect(outcomes[5]!.code).toBe('address_rate_limited');
    expect(outcomes[29]!.code).toBe('address_banned');

    // Another address is untouched.
    expect(await get(h.proxy.url, '127.0.0.2', 'elsewhere')).toEqual({ status: 200, code: '' });
  });

  it('refuses a WebSocket upgrade from the banned address before any session is made', async () => {
    const sessionsBefore = h.proxy.sessions.size;
    const client = await RawConnection.open(h.proxy.port);
    client.write(
      'GET /ws HTTP/1.1\r\nHost: app\r\nx-downspin-session: ws-banned\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    const received = await client.untilClosed();
    expect(received).toMatch(/^HTTP\/1\.1 403/);
    expect(received).toContain('address_banned');
    expect(h.proxy.sessions.size).toBe(sessionsBefore);
    expect(h.proxy.sessions.get('ws-banned')).toBeUndefined();
  });
});

describe('per-address guard off by default', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('admits every rotating id from one address (shared office NAT)', async () => {
    const outcomes = [];
    for (let i = 0; i < 30; i++) outcomes.push(await get(h.proxy.url, '127.0.0.1', `nat-${i}`));
    expect(tally(outcomes)).toEqual({ 200: 30 });
  });
});

describe('AddressGuard bookkeeping', () => {
  it('remembers at most maxAddresses addresses', () => {
    const guard = new AddressGuard({ ...DEFAULT_ADDRESS_GUARD, enabled: true, maxAddresses: 3 }, pino({ level: 'silent' }));
    for (let i = 0; i < 10; i++) guard.check(`10.0.0.${i}`, 1000);
    expect(guard.size).toBe(3);
    guard.close();
  });

  it('lifts the ban after banMs and refills at rps', () => {
    const guard = new AddressGuard(
      { ...DEFAULT_ADDRESS_GUARD, enabled: true, rps: 1, burst: 1, maxViolations: 2, banMs: 10_000 },
      pino({ level: 'silent' }),
    );
    expect(guard.check('10.0.0.1', 0)).toBeUndefined();
    expect(guard.check('10.0.0.1', 100)).toBe('address_rate_limited');
    expect(guard.check('10.0.0.1', 200)).toBe('address_rate_limited');
    expect(guard.check('10.0.0.1', 5_000)).toBe('address_banned');
    // Banned at 200 ms for 10 s; by then the bucket is full again.
    expect(guard.check('10.0.0.1', 10_300)).toBeUndefined();
    guard.close();
  });
});
