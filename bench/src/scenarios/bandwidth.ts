import { SESSION_HEADER } from '@downspin/protocol';
import { timedRequest } from '../http-client.js';
import type { BenchChild } from '../processes.js';
import { applyProfile } from './shape.js';

export interface RateMeasurement {
  label: string;
  bytes: number;
  ms: number;
  /** Measured kbit/s (1000 bits). */
  kbps: number;
  requestedKbps: number;
  /** (measured − requested) / requested, in percent. */
  errorPercent: number;
}

export interface BandwidthAccuracy {
  download: RateMeasurement;
  upload: RateMeasurement;
  /** Two downloads of one session at once: together they get one budget. */
  parallel: RateMeasurement;
}

const MiB = 1024 * 1024;

function rate(label: string, bytes: number, ms: number, requestedKbps: number): RateMeasurement {
  const kbps = (bytes * 8) / ms; // bits per ms = kbit/s
  return { label, bytes, ms, kbps, requestedKbps, errorPercent: ((kbps - requestedKbps) / requestedKbps) * 100 };
}

function expectBytes(got: number, want: number, what: string): void {
  if (got !== want) throw new Error(`${what}: ${got} bytes arrived, expected ${want}`);
}

/**
 * A session shaped with `bandwidth { downKbps, upKbps }`: one download, one
 * upload, then two parallel downloads, each timed from sending the request to
 * the last byte of the answer.
 */
export async function measureBandwidthAccuracy(options: { downspin: BenchChild; kbps: number; mib: number }): Promise<BandwidthAccuracy> {
  const sessionId = 'bench-bandwidth';
  await applyProfile(options.downspin, sessionId, { bandwidth: { downKbps: options.kbps, upKbps: options.kbps } });
  const headers = { [SESSION_HEADER]: sessionId };
  const size = options.mib * MiB;
  const base = options.downspin.url;

  const down = await timedRequest(`${base}/download/${size}`, { headers });
  expectBytes(down.bytes, size, 'download');

  const up = await timedRequest(`${base}/api/upload`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: Buffer.alloc(size, 120),
  });
  const counted = (JSON.parse(up.body) as { bytes: number }).bytes;
  expectBytes(counted, size, 'upload');

  const started = performance.now();
  const both = await Promise.all([timedRequest(`${base}/download/${size}`, { headers }), timedRequest(`${base}/download/${size}`, { headers })]);
  const parallelMs = performance.now() - started;
  for (const res of both) expectBytes(res.bytes, size, 'parallel download');

  return {
    download: rate(`download ${options.mib} MiB`, size, down.ms, options.kbps),
    upload: rate(`upload ${options.mib} MiB`, size, up.ms, options.kbps),
    parallel: rate(`2 parallel downloads, combined`, 2 * size, parallelMs, options.kbps),
  };
}
