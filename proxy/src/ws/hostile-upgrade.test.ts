import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@downspin/testing';
import { startHarness, type ProxyHarness } from '../test-harness.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function handshake(target: string, headers: Record<string, string> = {}, method = 'GET'): string {
  const all: Record<string, string> = {
    Host: 'app',
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}: ${value}`);
  return `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Sends raw bytes and resolves with the status line of the answer, then
 * drops the connection (a 101 is left open by the proxy). Rejects when no
 * answer comes within the deadline: a socket never answered is the leak.
 */
function rawUpgrade(port: number, text: string, deadlineMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let head = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(text.split('\r\n')[0])}`));
    }, deadlineMs);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n');
      if (end === -1) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(head.slice(0, end));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      if (!head.includes('\r\n')) reject(new Error(`closed without an answer to ${JSON.stringify(text.split('\r\n')[0])}`));
    });
  });
}

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

/** Handshakes an attacker sends, each refused before anything opens upstream. */
const BAD: [string, string][] = [
  ['Sec-WebSocket-Version 99', handshake('/ws', { 'Sec-WebSocket-Version': '99' })],
  ['a key of the wrong length', handshake('/ws', { 'Sec-WebSocket-Key': 'c2hvcnQ=' })],
  ['no key', handshake('/ws', { 'Sec-WebSocket-Key': '' })],
  ['no version', handshake('/ws', { 'Sec-WebSocket-Version': '' })],
  ['Upgrade: h2c', handshake('/ws', { Upgrade: 'h2c' })],
  ['a malformed subprotocol list', handshake('/ws', { 'Sec-WebSocket-Protocol': 'a b,,' })],
  ['a duplicated subprotocol', handshake('/ws', { 'Sec-WebSocket-Protocol': 'chat, chat' })],
  ['POST', handshake('/ws', {}, 'POST')],
  ['an absolute-form target with version 99', handshake('http://127.0.0.2:29001/x', { 'Sec-WebSocket-Version': '99' })],
  ['a non-http absolute-form target', handshake('ftp://127.0.0.2/x')],
];

describe('hostile WebSocket upgrades', () => {
  let h: ProxyHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('relays an absolute-form upgrade to the target, by its path only', async () => {
    const status = await rawUpgrade(h.proxy.port, handshake('http://127.0.0.2:29001/ws/abs?q=1'));
    expect(status).toBe('HTTP/1.1 101 Switching Protocols');
    expect(h.upstream.webSocketUrls).toContain('/ws/abs?q=1');
    await eventually(() => expect(h.upstream.connections()).toBe(0));
  });

  it('refuses a malformed session cookie on a handshake as on a request: 400 and the cookie cleared', async () => {
    const socket = net.connect(h.proxy.port, '127.0.0.1');
    socket.write(handshake('/ws', { Cookie: 'theme=dark; downspin_sid=not*valid' }));
    let head = '';
    socket.on('data', (chunk: Buffer) => (head += chunk.toString('latin1')));
    await once(socket, 'close');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/\r\nset-cookie: downspin_sid=; Path=\/; Max-Age=0/i);
    expect(head).toContain('malformed_session_id');
    expect(h.upstream.connections()).toBe(0);
  });

  it.each(BAD)('refuses %s with 400 and opens nothing upstream', async (_name, text) => {
    const before = h.upstream.webSocketUrls.length;
    expect(await rawUpgrade(h.proxy.port, text)).toBe('HTTP/1.1 400 Bad Request');
    expect(h.upstream.connections()).toBe(0);
    expect(h.upstream.webSocketUrls).toHaveLength(before);
  });

  it('5,000 abusive upgrades leave descriptors and upstream sockets at baseline', async () => {
    const mix = [...BAD.map(([, text]) => text), handshake('http://127.0.0.2:29001/ws/flood')];
    await eventually(() => expect(h.proxy.stats().connections).toBe(0));
    const baseline = { fds: openDescriptors(), upstream: h.upstream.connections() };
    const started = performance.now();
    const total = 5000;
    const concurrency = 100;
    let next = 0;
    const answers = new Map<string, number>();
    const worker = async (): Promise<void> => {
      while (next < total) {
        const text = mix[next++ % mix.length]!;
        const status = await rawUpgrade(h.proxy.port, text);
        answers.set(status, (answers.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const sent = performance.now() - started;
    const relayed = Math.floor(total / mix.length) + (total % mix.length > mix.length - 1 ? 1 : 0);
    expect(answers.get('HTTP/1.1 101 Switching Protocols')).toBe(relayed);
    expect(answers.get('HTTP/1.1 400 Bad Request')).toBe(total - relayed);
    await eventually(() => {
      expect(h.proxy.stats().connections).toBe(0);
      expect(h.proxy.stats().webSockets).toBe(0);
      expect(h.upstream.connections()).toBe(baseline.upstream);
      expect(openDescriptors()).toBeLessThanOrEqual(baseline.fds);
    }, 10_000);
    console.log(`5,000 abusive upgrades in ${Math.round(sent)} ms; ${relayed} relayed and dropped; descriptors back to ${baseline.fds}`);
    // About 5 s on an idle 2-core host; the bound leaves room for a loaded one (the cost is TCP accept and parsing).
  }, 60_000);
});
