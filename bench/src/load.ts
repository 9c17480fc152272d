import { spawn, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import type { LoadResult } from './load-result.js';
import { track } from './processes.js';
import { parseWrkOutput } from './wrk-parse.js';

export interface LoadOptions {
  connections: number;
  durationSec: number;
  headers: Record<string, string>;
}

export type LoadGenerator = 'wrk' | 'autocannon';

/** wrk when installed (Debian package), else autocannon (in this process: noisier). */
export function pickLoadGenerator(): LoadGenerator {
  return spawnSync('wrk', ['-v'], { stdio: 'ignore' }).error === undefined ? 'wrk' : 'autocannon';
}

/** Drives `url` with keep-alive connections for a while and returns its figures. */
export async function runLoad(generator: LoadGenerator, url: string, options: LoadOptions): Promise<LoadResult> {
  return generator === 'wrk' ? runWrk(url, options) : runAutocannon(url, options);
}

async function runWrk(url: string, { connections, durationSec, headers }: LoadOptions): Promise<LoadResult> {
  // One thread: on two cores the proxy and the upstream need the rest.
  const args = ['-t1', `-c${connections}`, `-d${durationSec}s`, '--timeout', '5s', '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const child = spawn('wrk', [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Tracked, so that an interrupted bench does not leave wrk hammering for the rest of its run.
  track(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`wrk exited with code ${code}: ${(stderr || stdout).trim().slice(0, 300)}`);
  return parseWrkOutput(stdout);
}

async function runAutocannon(url: string, { connections, durationSec, headers }: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: durationSec, headers, timeout: 5 });
  return {
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    socketErrors: result.errors,
  };
}
