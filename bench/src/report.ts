import type { BandwidthAccuracy, RateMeasurement } from './scenarios/bandwidth.js';
import { CHUNK_BYTES, type BodyEffectsAccuracy } from './scenarios/body-effects.js';
import type { LatencyAccuracy } from './scenarios/latency.js';
import { pairedRatio, type ThroughputRow } from './scenarios/throughput.js';

/** A figure with a target: printed with PASS or FAIL, counted in the summary. */
export interface Check {
  label: string;
  value: string;
  target: string;
  pass: boolean;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number, digits = 2): string => n.toFixed(digits);
const signed = (n: number, digits = 1): string => `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;

/** Right-aligns every column but the first. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  return all.map((row) => '  ' + row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

/** Checks (with PASS/FAIL) and reference figures, aligned as one table. */
export function checksTable(checks: readonly Check[], info: readonly (readonly [string, string])[] = []): string {
  const rows = [
    ...checks.map((c) => [c.label, c.value, `target ${c.target}`, c.pass ? 'PASS' : 'FAIL']),
    ...info.map(([label, value]) => [label, value, '', '(reference)']),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map((row) => `  ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padEnd(widths[2]!)}  ${row[3]}`.trimEnd())
    .join('\n');
}

export function throughputTable(rows: readonly ThroughputRow[]): string {
  return table(
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'errors', '1-conn req/s', '1-conn p50', '1-conn p99'],
    rows.map(({ name, loaded, single }) => [
      name,
      int(loaded.requestsPerSec),
      ms(loaded.p50Ms, 3),
      ms(loaded.p99Ms, 3),
      int(loaded.non2xx + loaded.socketErrors + single.non2xx + single.socketErrors),
      int(single.requestsPerSec),
      ms(single.p50Ms, 3),
      ms(single.p99Ms, 3),
    ]),
  );
}

/** The two throughput targets, plus reference ratios. */
export function throughputChecks(rows: readonly ThroughputRow[]): { checks: Check[]; info: [string, string][] } {
  const by = new Map(rows.map((r) => [r.name, r]));
  const direct = by.get('direct')!;
  const downspin = by.get('downspin')!;
  const httpProxy = by.get('http-proxy-3')!;
  const nginx = by.get('nginx');
  const ratio = pairedRatio(downspin, httpProxy);
  const overhead = downspin.single.p50Ms - direct.single.p50Ms;
  const checks: Check[] = [
    { label: 'downspin req/s ÷ http-proxy-3 req/s (median of the rounds’ ratios)', value: ratio.toFixed(2), target: '≥ 0.90', pass: ratio >= 0.9 },
    { label: 'downspin p50 − direct p50 (1 connection)', value: `${ms(overhead, 3)} ms`, target: '< 1 ms', pass: overhead < 1 },
  ];
  const info: [string, string][] = [
    ['downspin p50 − direct p50 (under load)', `${ms(downspin.loaded.p50Ms - direct.loaded.p50Ms, 3)} ms`],
    ['http-proxy-3 p50 − direct p50 (1 connection)', `${ms(httpProxy.single.p50Ms - direct.single.p50Ms, 3)} ms`],
  ];
  if (nginx) {
    info.push(['downspin req/s ÷ nginx req/s (median of the rounds’ ratios)', pairedRatio(downspin, nginx).toFixed(2)]);
    info.push(['nginx p50 − direct p50 (1 connection)', `${ms(nginx.single.p50Ms - direct.single.p50Ms, 3)} ms`]);
  }
  return { checks, info };
}

export function latencyReport(result: LatencyAccuracy): { lines: string[]; checks: Check[] } {
  return {
    lines: [
      `  medians: direct ${ms(result.directMedianMs, 3)} ms · through downspin unshaped ${ms(result.unshapedMedianMs, 3)} ms · ` +
        `shaped ${ms(result.shapedMedianMs)} ms`,
      `  error: mean ${signed(result.meanErrorMs, 2)} ms · |error| p50 ${ms(result.absErrorP50Ms)} ms · max ${ms(result.absErrorMaxMs)} ms`,
      `  noise floor (no delay injected): p99 direct ${ms(result.directP99Ms)} ms · through downspin unshaped ${ms(result.unshapedP99Ms)} ms`,
      `  shaping acknowledged in ${ms(result.ackMs, 1)} ms`,
    ],
    checks: [
      {
        label: `|error| p99 over ${result.samples} requests`,
        value: `${ms(result.absErrorP99Ms)} ms`,
        target: '< 5 ms',
        pass: result.absErrorP99Ms < 5,
      },
    ],
  };
}

function rateCheck(m: RateMeasurement): Check {
  return {
    label: `${m.label}: ${int(m.kbps)} kbit/s in ${(m.ms / 1000).toFixed(2)} s`,
    value: `${signed(m.errorPercent)} %`,
    target: '|error| < 5 %',
    pass: Math.abs(m.errorPercent) < 5,
  };
}

export function bandwidthChecks(result: BandwidthAccuracy): Check[] {
  return [rateCheck(result.download), rateCheck(result.upload), rateCheck(result.parallel)];
}

export function bodyEffectsReport(result: BodyEffectsAccuracy): { lines: string[]; checks: Check[] } {
  const { setup, stall, truncate } = result;
  const lines = [
    `  connection set-up ${setup.setupMs} ms, ${setup.samples} fresh connections: |error| p50 ${ms(setup.absErrorP50Ms)} ms, p99 ${ms(setup.absErrorP99Ms)} ms`,
    `  stall ${stall.ms} ms after ${int(stall.askedBytes)} bytes: paused at ${stall.gotBytes.map(int).join(', ')} bytes; shortest pause ${ms(stall.shortestPauseMs, 0)} ms`,
    `  truncate after ${int(truncate.askedBytes)} bytes: cut at ${truncate.gotBytes.map(int).join(', ')} bytes`,
  ];
  const chunk = `± one chunk (${int(CHUNK_BYTES)} bytes)`;
  const checks: Check[] = [
    { label: 'connection set-up |error| p99', value: `${ms(setup.absErrorP99Ms)} ms`, target: '< 5 ms', pass: setup.absErrorP99Ms < 5 },
    { label: 'stall at the asked byte', value: `worst ${int(stall.worstErrorBytes)} bytes off`, target: chunk, pass: stall.worstErrorBytes <= CHUNK_BYTES && stall.shortestPauseMs >= stall.ms - 1 },
    { label: 'truncation at the asked byte', value: `worst ${int(truncate.worstErrorBytes)} bytes off`, target: chunk, pass: truncate.worstErrorBytes <= CHUNK_BYTES },
  ];
  return { lines, checks };
}
