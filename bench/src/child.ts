/**
 * One bench process: the upstream (the demo app), downspin, or a plain
 * http-proxy-3 baseline. Each runs alone in its process so the load
 * generator, the proxy and the upstream never share an event loop.
 *
 * Usage (by the bench runner): node child.js <role> [targetUrl]
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { MemoryBus } from '@downspin/bus';
import { startDemoApp } from '@downspin/demo-app';
import { type Ack, type Profile } from '@downspin/protocol';
import { LISTEN_BACKLOG, startProxy } from '@downspin/proxy';
import { delayProxyServer, plainProxy } from './baseline-proxies.js';
import { FromChildSchema, ROLES, ToChildSchema, type FromChild, type Role } from './messages.js';

const ACK_TIMEOUT_MS = 5000;

function tell(message: FromChild): void {
  process.send?.(FromChildSchema.parse(message));
}

/** downspin with an in-process bus; shaping arrives as protocol ShapingCommands, as from the control API. */
async function runDownspin(target: string): Promise<string> {
  const bus = new MemoryBus();
  const proxy = await startProxy({ target, port: 0, bus, loadShaping: async () => [] });
  const waiting = new Map<string, (ack: Ack) => void>();
  await bus.subscribe('acks', (ack) => waiting.get(ack.commandId)?.(ack));
  let version = 0;

  async function shape(sessionId: string, profile: Profile): Promise<void> {
    const commandId = randomUUID();
    version += 1;
    const started = performance.now();
    const acked = new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack within ${ACK_TIMEOUT_MS} ms`)), ACK_TIMEOUT_MS);
      waiting.set(commandId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    await bus.publish('commands', {
      type: 'shaping',
      commandId,
      shaping: { sessionId, version, state: { mode: 'profile', profile }, updatedAt: Date.now() },
    });
    try {
      const ack = await acked;
      tell({ type: 'shaped', sessionId, version: ack.version, ackMs: performance.now() - started });
    } finally {
      waiting.delete(commandId);
    }
  }

  process.on('message', (raw) => {
    const parsed = ToChildSchema.safeParse(raw);
    if (!parsed.success) {
      tell({ type: 'failed', message: `bad message: ${parsed.error.message}` });
      return;
    }
    const { sessionId, profile } = parsed.data;
    shape(sessionId, profile).catch((error: unknown) => tell({ type: 'failed', message: String(error) }));
  });
  return proxy.url;
}

async function listenLocal(server: http.Server, backlog?: number): Promise<string> {
  server.listen({ port: 0, host: '127.0.0.1', backlog });
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The baseline of section 1: plain http-proxy-3. */
async function runHttpProxy(target: string): Promise<string> {
  const proxy = plainProxy(target);
  return listenLocal(http.createServer((req, res) => proxy.web(req, res)));
}

/** The floor for section 7 (see delayProxyServer). */
async function runDelayProxy(target: string): Promise<string> {
  // The proxy's own backlog, so the floor and downspin accept a burst of connections alike.
  return listenLocal(delayProxyServer(target), LISTEN_BACKLOG);
}

async function main(): Promise<void> {
  const role = process.argv[2] as Role;
  const target = process.argv[3] ?? '';
  if (!ROLES.includes(role)) throw new Error(`unknown role ${String(role)}; one of ${ROLES.join(', ')}`);
  // The parent is gone (even killed hard): nothing left to measure.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  const start = { upstream: async () => (await startDemoApp()).url, downspin: runDownspin, 'http-proxy': runHttpProxy, 'delay-proxy': runDelayProxy }[role];
  const url = await start(target);
  tell({ type: 'ready', url });
}

main().catch((error: unknown) => {
  tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
