import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { forkChild, type ForkedChild } from '../processes.js';
import type { Check } from '../report.js';
import { median, percentilesMs } from '../stats.js';
import { BENCH_HOST, ForwardSaysSchema, type ForwardEnv, type ForwardSays } from './forward-messages.js';

/**
 * Forward mode against reverse mode, same proxy process, same https
 * upstream: req/s of https requests through a CONNECT tunnel with TLS
 * interception, divided by req/s of requests reverse-proxied to that
 * upstream; and the p50 forward mode adds on one warm connection. Both are
 * driven by the same keep-alive client in the bench process (wrk cannot
 * speak CONNECT), so the client's own cost is the same on both sides.
 */

const START_TIMEOUT_MS = 30_000;
const PATH = '/health';
const HEADERS = { 'x-downspin-session': 'bench-forward' };

export interface Figures {
  requestsPerSec: number;
  /** One connection, sequential requests. */
  p50Ms: number;
  errors: number;
}

export interface ForwardResult {
  reverse: Figures;
  forward: Figures;
  /** https straight to the upstream (reference). */
  direct: Figures;
}

export interface ForwardOptions {
  rounds: number;
  durationSec: number;
  singleDurationSec: number;
  connections: number;
}

/** A keep-alive https agent whose connections are CONNECT tunnels through the proxy, TLS on top. */
class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxyPort: number,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): undefined {
    const authority = `${options.host ?? BENCH_HOST}:${options.port ?? 443}`;
    const raw = net.connect(this.proxyPort, '127.0.0.1');
    raw.setNoDelay(true);
    raw.once('error', (error) => callback?.(error, raw));
    raw.once('connect', () => raw.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      raw.off('data', onData);
      if (!head.startsWith('HTTP/1.1 200')) {
        raw.destroy();
        callback?.(new Error(`CONNECT refused: ${head.split('\r\n')[0]}`), raw);
        return;
      }
      callback?.(null, tls.connect({ ...(options as tls.ConnectionOptions), socket: raw, servername: BENCH_HOST }));
    };
    raw.on('data', onData);
    return undefined;
  }
}

/** Sequential GETs on each of `connections` keep-alive connections for a while: req/s and per-request times. */
async function drive(
  get: (agent: http.Agent) => Promise<number>,
  makeAgent: (sockets: number) => http.Agent,
  connections: number,
  durationSec: number,
): Promise<{ requestsPerSec: number; samples: number[]; errors: number }> {
  const agent = makeAgent(connections);
  const samples: number[] = [];
  let errors = 0;
  const started = performance.now();
  const end = started + durationSec * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const before = performance.now();
      try {
        const status = await get(agent);
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      samples.push(performance.now() - before);
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requestsPerSec: samples.length / seconds, samples, errors };
}

function getter(module: typeof http | typeof https, url: string): (agent: http.Agent) => Promise<number> {
  return (agent) =>
    new Promise((resolve, reject) => {
      const req = module.request(url, { agent, headers: HEADERS }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}

function startForwardChild(env: ForwardEnv): Promise<ForkedChild<ForwardSays>> {
  return forkChild(new URL('./forward-child.js', import.meta.url), {
    name: `forward ${env.BENCH_ROLE}`,
    env: { ...process.env, ...env },
    parse: (raw) => ForwardSaysSchema.safeParse(raw),
    timeoutMs: START_TIMEOUT_MS,
  });
}

export async function measureForward(options: ForwardOptions, progress: (line: string) => void): Promise<ForwardResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'downspin-bench-forward-'));
  const children: ForkedChild<ForwardSays>[] = [];
  try {
    const upstream = await startForwardChild({ BENCH_ROLE: 'https-upstream', BENCH_DIR: path.join(dir, 'upstream') });
    children.push(upstream);
    const upstreamCa = await caOf(upstream);
    const proxy = await startForwardChild({
      BENCH_ROLE: 'proxy',
      BENCH_DIR: path.join(dir, 'proxy'),
      BENCH_TARGET: upstream.url,
      BENCH_UPSTREAM_CA: upstreamCa,
    });
    children.push(proxy);
    const proxyCa = await caOf(proxy);
    const proxyPort = Number(new URL(proxy.url).port);
    const modes = {
      reverse: { get: getter(http, proxy.url + PATH), agent: (n: number) => new http.Agent({ keepAlive: true, maxSockets: n }) },
      forward: {
        get: getter(https, upstream.url + PATH),
        agent: (n: number) => new TunnelAgent(proxyPort, { keepAlive: true, maxSockets: n, ca: proxyCa }),
      },
      direct: { get: getter(https, upstream.url + PATH), agent: (n: number) => new https.Agent({ keepAlive: true, maxSockets: n, ca: upstreamCa }) },
    };
    const names = Object.keys(modes) as (keyof typeof modes)[];
    const rates = new Map(names.map((name) => [name, [] as number[]]));
    const p50s = new Map(names.map((name) => [name, [] as number[]]));
    const errors = new Map(names.map((name) => [name, 0]));
    for (const name of names) await drive(modes[name].get, modes[name].agent, options.connections, 1);
    for (let round = 0; round < options.rounds; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length]!;
        const loaded = await drive(modes[name].get, modes[name].agent, options.connections, options.durationSec);
        const single = await drive(modes[name].get, modes[name].agent, 1, options.singleDurationSec);
        rates.get(name)!.push(loaded.requestsPerSec);
        // The first request opens the connection (and for forward mode the tunnel and TLS): warm means after it.
        p50s.get(name)!.push(percentilesMs(single.samples.slice(1)).p50);
        errors.set(name, errors.get(name)! + loaded.errors + single.errors);
        progress(`  round ${round + 1}/${options.rounds} ${name.padEnd(8)} ${Math.round(loaded.requestsPerSec)} req/s · 1 connection p50 ${p50s.get(name)!.at(-1)!.toFixed(3)} ms`);
      }
    }
    const figures = (name: keyof typeof modes): Figures => ({
      requestsPerSec: median(rates.get(name)!),
      p50Ms: median(p50s.get(name)!),
      errors: errors.get(name)!,
    });
    return { reverse: figures('reverse'), forward: figures('forward'), direct: figures('direct') };
  } finally {
    for (const child of children) await child.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function caOf(child: ForkedChild<ForwardSays>): Promise<string> {
  if (child.ready.type !== 'ready') throw new Error('a forward child said it was ready without its CA');
  return child.ready.caPem;
}

export function forwardLines(result: ForwardResult): string[] {
  const row = (name: string, f: Figures): string =>
    `  ${name.padEnd(34)} ${Math.round(f.requestsPerSec).toLocaleString('en-US').padStart(8)} req/s   1-conn p50 ${f.p50Ms.toFixed(3)} ms   errors ${f.errors}`;
  return [
    row('reverse (http → proxy → https)', result.reverse),
    row('forward (CONNECT + TLS interception)', result.forward),
    row('direct https (reference)', result.direct),
  ];
}

export function forwardChecks(result: ForwardResult): Check[] {
  const ratio = result.forward.requestsPerSec / result.reverse.requestsPerSec;
  const added = result.forward.p50Ms - result.reverse.p50Ms;
  const clean = result.forward.errors === 0 && result.reverse.errors === 0;
  return [
    { label: 'forward req/s ÷ reverse req/s (https upstream)', value: ratio.toFixed(2), target: '≥ 0.70', pass: ratio >= 0.7 && clean },
    { label: 'forward mode added p50, warm connection', value: `${added.toFixed(3)} ms`, target: '< 1 ms', pass: added < 1 && clean },
  ];
}
