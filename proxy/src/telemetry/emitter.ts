import type { RequestRow, TelemetryTally, WsRow } from '@downspin/protocol';
import type { TelemetrySink } from './sink.js';
import { normalizeRoute } from './route.js';

export interface TelemetryEmitterOptions {
  sink: TelemetrySink | undefined;
  countryOf: (ip: string) => string;
  /** Flush at least this often. */
  flushIntervalMs?: number;
  /** Flush early once this many rows wait. */
  batchSize?: number;
  /** Rows waiting past this are dropped (and counted). */
  maxPending?: number;
  /** A sink that throws loses the batch (counted as dropped); this hears why. */
  onSinkError?: (error: unknown) => void;
}

/** Rows of one kind waiting for the next flush, with the client IP each came from. */
class PendingRows<Row extends { path: string; route: string; country: string }> {
  rows: Row[] = [];
  ips: string[] = [];

  push(row: Row, ip: string): void {
    this.rows.push(row);
    this.ips.push(ip);
  }

  /** Takes the waiting rows, filling what is computed off the request path. */
  take(countryOf: (ip: string) => string): Row[] {
    const { rows, ips } = this;
    this.rows = [];
    this.ips = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      row.route = normalizeRoute(row.path);
      row.country = countryOf(ips[i]!);
    }
    return rows;
  }
}

/**
 * Collects telemetry rows on the request path (an array push) and hands them
 * to the sink in batches from a timer, off the path. Route normalisation and
 * the country lookup happen at flush time, not per request.
 */
export class TelemetryEmitter {
  private readonly requests = new PendingRows<RequestRow>();
  private readonly webSockets = new PendingRows<WsRow>();
  private readonly timer: NodeJS.Timeout;
  private flushScheduled = false;
  private readonly batchSize: number;
  private readonly maxPending: number;
  emitted = 0;
  dropped = 0;

  constructor(private readonly options: TelemetryEmitterOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.maxPending = options.maxPending ?? 100_000;
    this.timer = setInterval(this.flush, options.flushIntervalMs ?? 250);
    this.timer.unref();
  }

  /** False without a sink: callers can skip building rows. */
  get enabled(): boolean {
    return this.options.sink !== undefined;
  }

  get queued(): number {
    return this.requests.rows.length + this.webSockets.rows.length;
  }

  /** `row.route` and `row.country` are filled at flush time. */
  request(row: RequestRow, ip: string): void {
    if (this.accept(this.requests)) this.requests.push(row, ip);
  }

  webSocket(row: WsRow, ip: string): void {
    if (this.accept(this.webSockets)) this.webSockets.push(row, ip);
  }

  readonly flush = (): void => {
    this.flushScheduled = false;
    const sink = this.options.sink;
    if (sink === undefined) return;
    const countryOf = this.options.countryOf;
    if (this.requests.rows.length > 0) {
      const rows = this.requests.take(countryOf);
      this.handOver(rows, () => sink.writeRequests(rows));
    }
    if (this.webSockets.rows.length > 0) {
      const rows = this.webSockets.take(countryOf);
      this.handOver(rows, () => sink.writeWebSockets(rows));
    }
  };

  /** The whole pipeline's tallies: rows waiting here plus the sink's own. */
  tally(): TelemetryTally {
    const sink = this.options.sink?.stats?.() ?? {};
    return {
      queued: this.queued + (sink.queued ?? 0),
      written: sink.written ?? 0,
      spilled: sink.spilled ?? 0,
      replayed: sink.replayed ?? 0,
      dropped: this.dropped + (sink.dropped ?? 0),
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }

  /** Room for one more row? Counts a drop when not; flushes early when a batch is full. */
  private accept(pending: PendingRows<RequestRow> | PendingRows<WsRow>): boolean {
    if (this.options.sink === undefined) return false;
    if (pending.rows.length >= this.maxPending) {
      this.dropped++;
      return false;
    }
    if (pending.rows.length + 1 >= this.batchSize && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }

  private handOver(rows: readonly unknown[], write: () => void): void {
    try {
      write();
      this.emitted += rows.length;
    } catch (error) {
      this.dropped += rows.length;
      this.options.onSinkError?.(error);
    }
  }
}
