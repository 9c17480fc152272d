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

/**
 * Collects telemetry rows on the request path (an array push) and hands them
 * to the sink in batches from a timer, off the path. Route normalisation and
 * the country lookup happen at flush time, not per request.
 */
export class TelemetryEmitter {
  private requests: RequestRow[] = [];
  private requestIps: string[] = [];
  private webSockets: WsRow[] = [];
  private webSocketIps: string[] = [];
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

  get queued(): number {
    return this.requests.length + this.webSockets.length;
  }

  /** `row.route` and `row.country` are filled at flush time. */
  request(row: RequestRow, ip: string): void {
    if (this.options.sink === undefined) return;
    if (this.requests.length >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.requests.push(row);
    this.requestIps.push(ip);
    if (this.requests.length >= this.batchSize) this.scheduleFlush();
  }

  webSocket(row: WsRow, ip: string): void {
    if (this.options.sink === undefined) return;
    if (this.webSockets.length >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.webSockets.push(row);
    this.webSocketIps.push(ip);
  }

  readonly flush = (): void => {
    this.flushScheduled = false;
    const sink = this.options.sink;
    if (sink === undefined) return;
    const countryOf = this.options.countryOf;
    if (this.requests.length > 0) {
      const rows = this.requests;
      const ips = this.requestIps;
      this.requests = [];
      this.requestIps = [];
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        row.route = normalizeRoute(row.path);
        row.country = countryOf(ips[i]!);
      }
      this.handOver(rows, () => sink.writeRequests(rows));
    }
    if (this.webSockets.length > 0) {
      const rows = this.webSockets;
      const ips = this.webSocketIps;
      this.webSockets = [];
      this.webSocketIps = [];
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        row.route = normalizeRoute(row.path);
        row.country = countryOf(ips[i]!);
      }
      this.handOver(rows, () => sink.writeWebSockets(rows));
    }
  };

  private handOver(rows: readonly unknown[], write: () => void): void {
    try {
      write();
      this.emitted += rows.length;
    } catch (error) {
      this.dropped += rows.length;
      this.options.onSinkError?.(error);
    }
  }

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

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }
}
