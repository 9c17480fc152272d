/**
 * Section 8's upstream, in its own process: a WebSocket server that accepts
 * on any path and never sends, so the sockets relayed to it stay idle (the
 * demo app's /ws/feed ticks every 500 ms). Answers `count` with the sockets
 * it holds open.
 *
 * Usage (by the ws-idle scenario): node ws-idle-upstream.js
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { WsIdleAskSchema, WsIdleSaysSchema, type WsIdleSays } from './ws-idle-messages.js';

function tell(message: WsIdleSays): void {
  process.send?.(WsIdleSaysSchema.parse(message));
}

async function main(): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  // Batches of a few hundred handshakes at once: a backlog larger than the default 511.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, backlog: 4096, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('error', () => undefined));
  await once(wss, 'listening');
  process.on('message', (raw) => {
    if (WsIdleAskSchema.safeParse(raw).success) tell({ type: 'count', open: wss.clients.size });
    else tell({ type: 'failed', message: 'bad message' });
  });
  tell({ type: 'ready', url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}` });
}

main().catch((error: unknown) => {
  tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
