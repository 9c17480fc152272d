import net from 'node:net';
import { SESSION_HEADER } from '@downspin/protocol';
import { timedRequest } from '../http-client.js';
import type { BenchChild } from '../processes.js';
import { percentilesMs } from '../stats.js';
import { applyProfile } from './shape.js';

/** Where a body effect struck, against where it was asked to. */
export interface ByteAccuracy {
  askedBytes: number;
  /** Body bytes the client had when the effect struck, per request. */
  gotBytes: number[];
  /** The largest |got − asked|, in bytes. */
  worstErrorBytes: number;
}

export interface BodyEffectsAccuracy {
  /** connection { setupMs }: fresh connections, each request's time minus (direct fresh-connection median + setupMs). */
  setup: { setupMs: number; samples: number; absErrorP50Ms: number; absErrorP99Ms: number };
  stall: ByteAccuracy & { ms: number; shortestPauseMs: number };
  truncate: ByteAccuracy;
}

/** The socket's read size: "at the asked byte ± one chunk" is measured against it. */
export const CHUNK_BYTES = 64 * 1024;

interface RawAnswer {
  /** Body bytes received before the longest pause between two reads, and that pause. */
  beforePause: number;
  pauseMs: number;
  /** Body bytes received in all. */
  body: number;
}

/** One GET on a fresh raw socket, read to the end: the body's bytes and its longest pause. */
function rawGet(url: string, path: string, sessionId: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let head = Buffer.alloc(0);
    let inBody = false;
    let body = 0;
    let last = 0;
    let answer: RawAnswer = { beforePause: 0, pauseMs: 0, body: 0 };
    socket.on('data', (chunk: Buffer) => {
      const now = performance.now();
      if (!inBody) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        inBody = true;
        chunk = head.subarray(end + 4);
        last = now;
      }
      if (chunk.length === 0) return;
      if (body > 0 && now - last > answer.pauseMs) answer = { ...answer, beforePause: body, pauseMs: now - last };
      body += chunk.length;
      last = now;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ ...answer, body }));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${SESSION_HEADER}: ${sessionId}\r\nConnection: close\r\n\r\n`);
  });
}

const worst = (got: number[], asked: number): number => Math.max(...got.map((g) => Math.abs(g - asked)));

/**
 * The body effects on real sockets, each against what it was asked: the
 * set-up cost of a new connection (time), and the byte a stall pauses at
 * and a truncation cuts at (bytes, ± one read of CHUNK_BYTES).
 */
export async function measureBodyEffects(options: { upstreamUrl: string; downspin: BenchChild; samples: number }): Promise<BodyEffectsAccuracy> {
  const setupMs = 50;
  await applyProfile(options.downspin, 'bench-setup', { connection: { setupMs } });
  const direct: number[] = [];
  const shaped: number[] = [];
  const headers = { [SESSION_HEADER]: 'bench-setup' };
  for (let i = 0; i < options.samples; i++) {
    // agent: false, so every request opens its own connection and pays the set-up cost.
    direct.push((await timedRequest(`${options.upstreamUrl}/health`)).ms);
    shaped.push((await timedRequest(`${options.downspin.url}/health`, { headers })).ms);
  }
  const directMedian = percentilesMs(direct).p50;
  const setupErrors = percentilesMs(shaped.map((ms) => Math.abs(ms - (directMedian + setupMs))));

  const size = 4 * 1024 * 1024;
  const askedBytes = 1_000_000;
  const stallMs = 300;
  await applyProfile(options.downspin, 'bench-stall', { stall: { rate: 1, afterBytes: askedBytes, ms: stallMs } });
  await applyProfile(options.downspin, 'bench-truncate', { truncate: { rate: 1, afterBytes: askedBytes } });
  const stalls: RawAnswer[] = [];
  const cuts: RawAnswer[] = [];
  const rounds = Math.max(3, Math.round(options.samples / 20));
  for (let i = 0; i < rounds; i++) {
    stalls.push(await rawGet(options.downspin.url, `/download/${size}`, 'bench-stall'));
    cuts.push(await rawGet(options.downspin.url, `/download/${size}`, 'bench-truncate'));
  }
  const stallAt = stalls.map((a) => a.beforePause);
  const cutAt = cuts.map((a) => a.body);
  return {
    setup: { setupMs, samples: options.samples, absErrorP50Ms: setupErrors.p50, absErrorP99Ms: setupErrors.p99 },
    stall: { askedBytes, ms: stallMs, gotBytes: stallAt, worstErrorBytes: worst(stallAt, askedBytes), shortestPauseMs: Math.min(...stalls.map((a) => a.pauseMs)) },
    truncate: { askedBytes, gotBytes: cutAt, worstErrorBytes: worst(cutAt, askedBytes) },
  };
}
