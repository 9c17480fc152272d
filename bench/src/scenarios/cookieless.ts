import { runLoad } from '../load.js';
import { startChild } from '../processes.js';
import type { Check } from '../report.js';
import type { ThroughputOptions } from './throughput.js';

/**
 * Clients that keep no cookie and send no session header (curl, load tools):
 * each request opens a new session, so the proxy's session table fills to its
 * bound (100,000) within seconds and then makes room for every new session.
 * Its throughput must hold while it does: before the table's walks resumed
 * where they stopped, a fresh downspin fell from ~7,150 to ~3,700 req/s
 * within 50 s on this load (#16).
 *
 * A fresh downspin (the table filled here would weigh on later sections), one
 * load run after another with no pause.
 */
export async function measureCookieless(upstreamUrl: string, load: ThroughputOptions, windows: number, progress: (line: string) => void): Promise<number[]> {
  const downspin = await startChild('downspin', upstreamUrl);
  try {
    const rates: number[] = [];
    for (let i = 0; i < windows; i++) {
      progress(`clients without cookies: window ${i + 1}/${windows}…`);
      const result = await runLoad(load.generator, downspin.url + load.path, { headers: {}, connections: load.connections, durationSec: load.durationSec });
      rates.push(result.requestsPerSec);
    }
    return rates;
  } finally {
    await downspin.stop();
  }
}

/** The last two windows against the best of the first two (the table not yet full). */
export function cookielessChecks(rates: readonly number[]): { lines: string[]; checks: Check[] } {
  const int = (n: number): string => Math.round(n).toLocaleString('en-US');
  const lines = [`  req/s per window, a new session every request: ${rates.map(int).join(', ')}`];
  if (rates.length < 4) return { lines, checks: [] };
  const start = Math.max(rates[0]!, rates[1]!);
  const end = (rates.at(-1)! + rates.at(-2)!) / 2;
  const ratio = end / start;
  return {
    lines,
    checks: [{ label: 'clients without cookies: last two windows ÷ best of the first two (req/s)', value: ratio.toFixed(2), target: '≥ 0.85', pass: ratio >= 0.85 }],
  };
}
