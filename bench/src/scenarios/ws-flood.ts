import { once } from 'node:events';
import { SESSION_HEADER } from '@downspin/protocol';
import WebSocket from 'ws';
import { rssMiB, type BenchChild } from '../processes.js';
import { applyProfile } from './shape.js';

const SESSION = 'bench-ws-flood';
const MESSAGE_BYTES = 32 * 1024;
/** The bench keeps at most this much unsent per socket: the flood never waits on the bench itself. */
const CLIENT_BACKLOG_BYTES = 16 * 1024 * 1024;
const MiB = 1024 * 1024;

export interface WsFloodResult {
  sockets: number;
  durationSec: number;
  latencyMs: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** Bytes the bench handed to its sockets, and how many of them the proxy never read (backpressure). */
  offeredMiB: number;
  unreadMiB: number;
}

/**
 * WebSocket sockets of one session flood the proxy (demo app /ws/feed) as
 * fast as TCP takes it while the session is shaped with a latency longer than
 * the flood: nothing is delivered, so everything the proxy reads it holds.
 * Its RSS afterwards is bounded by the relay's queue bounds, not by the flood.
 */
export async function measureWsFlood(options: {
  downspin: BenchChild;
  durationSec: number;
  latencyMs: number;
  sockets: number;
}): Promise<WsFloodResult> {
  const { downspin } = options;
  if (downspin.pid === undefined) throw new Error('the downspin process has no pid');
  const url = `${downspin.url.replace('http', 'ws')}/ws/feed`;
  const sockets: WebSocket[] = [];
  try {
    // Opened before the latency applies: the handshake would wait it too.
    for (let i = 0; i < options.sockets; i++) {
      const ws = new WebSocket(url, { headers: { [SESSION_HEADER]: SESSION } });
      ws.on('error', () => undefined);
      await once(ws, 'open');
      sockets.push(ws);
    }
    await applyProfile(downspin, SESSION, { latency: { ms: options.latencyMs } });
    const rssBeforeMiB = rssMiB(downspin.pid);
    const message = Buffer.alloc(MESSAGE_BYTES, 7);
    let offered = 0;
    const refill = (): void => {
      for (const ws of sockets) {
        while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < CLIENT_BACKLOG_BYTES) {
          ws.send(message);
          offered += MESSAGE_BYTES;
        }
      }
    };
    refill();
    const timer = setInterval(refill, 20);
    await new Promise((resolve) => setTimeout(resolve, options.durationSec * 1000));
    clearInterval(timer);
    const rssAfterMiB = rssMiB(downspin.pid);
    const unread = sockets.reduce((sum, ws) => sum + ws.bufferedAmount, 0);
    return {
      sockets: options.sockets,
      durationSec: options.durationSec,
      latencyMs: options.latencyMs,
      rssBeforeMiB,
      rssAfterMiB,
      offeredMiB: offered / MiB,
      unreadMiB: unread / MiB,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    // Lift the latency so the proxy delivers what it held and notices the closed sockets.
    await applyProfile(downspin, SESSION, {}).catch(() => undefined);
  }
}

export function wsFloodLines(result: WsFloodResult, limits: { maxQueuedBytes: number; maxSessionQueuedBytes: number }): string[] {
  const f = (n: number): string => n.toFixed(1);
  return [
    `  ${result.sockets} sockets of one session, ${result.durationSec} s flood of 32 KiB messages under latency ${result.latencyMs} ms`,
    `  offered ${f(result.offeredMiB)} MiB; ${f(result.unreadMiB)} MiB still unsent in the bench (the proxy stopped reading: backpressure)`,
    `  proxy RSS ${f(result.rssAfterMiB)} MiB after the flood (${f(result.rssBeforeMiB)} MiB before, +${f(result.rssAfterMiB - result.rssBeforeMiB)} MiB); ` +
      `queue bound ${f(limits.maxQueuedBytes / MiB)} MiB per direction, ${f(limits.maxSessionQueuedBytes / MiB)} MiB per session`,
  ];
}
