import { SESSION_HEADER } from '@downspin/protocol';
import WebSocket from 'ws';
import { forkChild, openFds, raiseFdLimit, rssMiB, startChild, type BenchChild, type ForkedChild } from '../processes.js';
import type { Check } from '../report.js';
import { WsIdleSaysSchema, type WsIdleSays } from './ws-idle-messages.js';
import { applyProfile } from './shape.js';

export interface WsIdleOptions {
  /** Sockets asked for (fewer if a process's open-file limit cannot hold them). */
  sockets: number;
  sessions: number;
  /** Every n-th session is shaped with `latencyMs`, so the shaped relay path is in the figure. */
  shapedEvery: number;
  latencyMs: number;
  /** Handshakes in flight at once. */
  batch: number;
  settleMs: number;
}

export interface WsIdleResult {
  asked: number;
  /** Sockets attempted: `asked`, or what the open-file limits allow. */
  attempted: number;
  /** Why fewer than asked were attempted, if so. */
  limitedBy: string;
  failed: number;
  sessions: number;
  shapedSessions: number;
  latencyMs: number;
  openMs: number;
  /** After the warm-up sockets closed and a settle. */
  rssBaselineMiB: number;
  /** With the first half open (after a settle): the second half's growth is the cost of a socket without the heap's one-off growth. */
  rssHalfMiB: number;
  halfOpen: number;
  rssOpenMiB: number;
  rssClosedMiB: number;
  clientOpen: number;
  upstreamOpen: number;
  proxyFdsBaseline: number;
  proxyFdsOpen: number;
  upstreamOpenAfterClose: number;
}

const WARM_UP_SOCKETS = 50;
/** Descriptors a process keeps for itself beyond the sockets (listeners, IPC, libuv, files). */
const FD_MARGIN = 64;
const PATH = '/ws/idle';
const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Section 8 (#16): idle WebSockets through one downspin process. A quiet
 * upstream (ws-idle-upstream.ts) and downspin each run in their own process,
 * the client sockets in the bench's. The proxy's RSS is read after a warm-up
 * (baseline), with every socket open and idle, and after they all closed.
 */
export async function measureWsIdle(options: WsIdleOptions, progress: (line: string) => void): Promise<WsIdleResult> {
  const upstream = await forkChild<WsIdleSays>(new URL('./ws-idle-upstream.js', import.meta.url), {
    name: 'quiet WebSocket upstream',
    parse: (raw) => WsIdleSaysSchema.safeParse(raw),
    timeoutMs: 15_000,
  });
  let downspin: BenchChild | undefined;
  const sockets: WebSocket[] = [];
  try {
    downspin = await startChild('downspin', upstream.url);
    const proxyPid = pidOf(downspin);
    const { attempted, limitedBy } = socketBudget(options.sockets, [
      { name: 'the bench', pid: process.pid, perSocket: 1 },
      { name: 'the upstream', pid: pidOf(upstream), perSocket: 1 },
      { name: 'the proxy', pid: proxyPid, perSocket: 2 },
    ]);

    const ids = Array.from({ length: options.sessions }, (_, i) => `bench-ws-idle-${i}`);
    const shaped = ids.filter((_, i) => i % options.shapedEvery === 0);
    for (const id of shaped) await applyProfile(downspin, id, { latency: { ms: options.latencyMs } });
    const url = `${downspin.url.replace('http', 'ws')}${PATH}`;
    const open = async (i: number): Promise<WebSocket | undefined> => {
      const ws = new WebSocket(url, { headers: { [SESSION_HEADER]: ids[i % ids.length]! }, perMessageDeflate: false, handshakeTimeout: 30_000 });
      ws.on('error', () => undefined);
      const opened = await new Promise<boolean>((resolve) => {
        ws.once('open', () => resolve(true));
        ws.once('close', () => resolve(false));
      });
      return opened ? ws : undefined;
    };

    // Warm-up: the relay's code is compiled and the heap has grown to its working size.
    const warm = await Promise.all(Array.from({ length: WARM_UP_SOCKETS }, (_, i) => open(i)));
    for (const ws of warm) ws?.close();
    await settle(options.settleMs);
    const rssBaselineMiB = rssMiB(proxyPid);
    const proxyFdsBaseline = openFds(proxyPid);

    progress(`idle WebSockets: opening ${attempted.toLocaleString('en-US')} in batches of ${options.batch}…`);
    const started = performance.now();
    let failed = 0;
    let settledMs = 0;
    let half: { rssMiB: number; open: number } | undefined;
    for (let from = 0; from < attempted; from += options.batch) {
      const batch = await Promise.all(Array.from({ length: Math.min(options.batch, attempted - from) }, (_, k) => open(from + k)));
      for (const ws of batch) if (ws === undefined) failed++;
      else sockets.push(ws);
      if (half === undefined && from + options.batch >= attempted / 2) {
        await settle(options.settleMs);
        settledMs += options.settleMs;
        half = { rssMiB: rssMiB(proxyPid), open: sockets.length };
      }
    }
    const openMs = performance.now() - started - settledMs;
    await settle(options.settleMs);
    const rssOpenMiB = rssMiB(proxyPid);
    const proxyFdsOpen = openFds(proxyPid);
    const clientOpen = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    const upstreamOpen = await countUpstream(upstream);

    progress('idle WebSockets: closing them all…');
    for (const ws of sockets) ws.close();
    const deadline = performance.now() + 15_000;
    let upstreamOpenAfterClose = await countUpstream(upstream);
    while (upstreamOpenAfterClose > 0 && performance.now() < deadline) {
      await settle(250);
      upstreamOpenAfterClose = await countUpstream(upstream);
    }
    await settle(options.settleMs);
    return {
      asked: options.sockets,
      attempted,
      limitedBy,
      failed,
      sessions: options.sessions,
      shapedSessions: shaped.length,
      latencyMs: options.latencyMs,
      openMs,
      rssBaselineMiB,
      rssHalfMiB: half?.rssMiB ?? rssBaselineMiB,
      halfOpen: half?.open ?? 0,
      rssOpenMiB,
      rssClosedMiB: rssMiB(proxyPid),
      clientOpen,
      upstreamOpen,
      proxyFdsBaseline,
      proxyFdsOpen,
      upstreamOpenAfterClose,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await downspin?.stop();
    await upstream.stop();
  }
}

function pidOf(child: ForkedChild<unknown>): number {
  if (child.pid === undefined) throw new Error('a bench child has no pid');
  return child.pid;
}

async function countUpstream(upstream: ForkedChild<WsIdleSays>): Promise<number> {
  const answer = await upstream.ask({ type: 'count' });
  if (answer.type !== 'count') throw new Error(`the quiet upstream answered ${answer.type}`);
  return answer.open;
}

/**
 * How many sockets the three processes' open-file limits hold: each limit is
 * raised first where the bench may; the proxy needs two descriptors a socket.
 */
function socketBudget(asked: number, holders: { name: string; pid: number; perSocket: number }[]): { attempted: number; limitedBy: string } {
  let attempted = asked;
  let limitedBy = '';
  for (const { name, pid, perSocket } of holders) {
    const limit = raiseFdLimit(pid, asked * perSocket + 1024);
    const fits = Math.floor((limit - openFds(pid) - FD_MARGIN) / perSocket);
    if (fits < attempted) {
      attempted = fits;
      limitedBy = `the open-file limit of ${name} (${limit.toLocaleString('en-US')}, ${perSocket} per socket; prlimit could not raise it)`;
    }
  }
  return { attempted, limitedBy };
}

const f = (n: number): string => n.toFixed(1);
const int = (n: number): string => n.toLocaleString('en-US');

/** Proxy RSS above the baseline per open socket, in KiB. */
export function perSocketKiB(r: Pick<WsIdleResult, 'rssBaselineMiB' | 'rssOpenMiB' | 'upstreamOpen'>): number {
  return r.upstreamOpen === 0 ? NaN : ((r.rssOpenMiB - r.rssBaselineMiB) * 1024) / r.upstreamOpen;
}

/** Proxy RSS growth per socket over the second half only (reference: without the heap's one-off growth). */
export function marginalKiB(r: Pick<WsIdleResult, 'rssHalfMiB' | 'rssOpenMiB' | 'halfOpen' | 'clientOpen'>): number {
  const added = r.clientOpen - r.halfOpen;
  return added <= 0 ? NaN : ((r.rssOpenMiB - r.rssHalfMiB) * 1024) / added;
}

/** The section's lines and its check (target from #16: under 20 KiB a socket, every socket open end to end). */
export function wsIdleReport(r: WsIdleResult): { lines: string[]; checks: Check[]; info: [string, string][] } {
  const perSocket = perSocketKiB(r);
  const allOpen = r.failed === 0 && r.clientOpen === r.attempted && r.upstreamOpen === r.attempted;
  const lines = [
    `  ${int(r.attempted)} sockets over ${r.sessions} sessions (${r.shapedSessions} shaped with latency ${r.latencyMs} ms), opened in ${f(r.openMs / 1000)} s; ${r.failed} failed`,
    ...(r.attempted < r.asked ? [`  ${int(r.asked)} asked, ${int(r.attempted)} attempted: ${r.limitedBy}`] : []),
    `  open and idle: ${int(r.clientOpen)} in the bench, ${int(r.upstreamOpen)} at the upstream; proxy file descriptors ${int(r.proxyFdsBaseline)} → ${int(r.proxyFdsOpen)}`,
    `  proxy RSS: baseline ${f(r.rssBaselineMiB)} MiB → ${f(r.rssHalfMiB)} MiB with ${int(r.halfOpen)} open → ${f(r.rssOpenMiB)} MiB with all open (+${f(r.rssOpenMiB - r.rssBaselineMiB)} MiB) → ${f(r.rssClosedMiB)} MiB after all closed (${int(r.upstreamOpenAfterClose)} still open at the upstream)`,
    `  the flood half of #16 (one shaped socket's memory stays bounded) is section 6`,
  ];
  const checks: Check[] = [
    {
      label: `proxy RSS per idle WebSocket (${int(r.upstreamOpen)} open)`,
      value: Number.isNaN(perSocket) ? 'none open' : `${f(perSocket)} KiB`,
      target: '< 20 KiB, all open',
      pass: allOpen && perSocket < 20,
    },
  ];
  const info: [string, string][] = [[`proxy RSS per idle WebSocket, second half only (${int(r.clientOpen - r.halfOpen)})`, `${f(marginalKiB(r))} KiB`]];
  return { lines, checks, info };
}
