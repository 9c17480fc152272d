import type { RequestRow, TelemetryTally, WsRow } from '@downspin/protocol';

/**
 * Where the proxy's telemetry goes. Called off the request path with whole
 * batches; an implementation queues and never throws or blocks (a store
 * that is down is the sink's problem, not the proxy's).
 */
export interface TelemetrySink {
  writeRequests(rows: RequestRow[]): void;
  writeWebSockets(rows: WsRow[]): void;
  /** The sink's own tallies (written, spilled, replayed, dropped), for /admin/stats. */
  stats?(): Partial<TelemetryTally>;
}

/** A bounded in-memory sink: keeps the newest `capacity` rows of each kind. */
export class MemoryTelemetrySink implements TelemetrySink {
  readonly requests: RequestRow[] = [];
  readonly webSockets: WsRow[] = [];
  dropped = 0;

  constructor(private readonly capacity = 100_000) {}

  stats(): Partial<TelemetryTally> {
    return { written: this.requests.length + this.webSockets.length + this.dropped, dropped: this.dropped };
  }

  writeRequests(rows: RequestRow[]): void {
    this.append(this.requests, rows);
  }

  writeWebSockets(rows: WsRow[]): void {
    this.append(this.webSockets, rows);
  }

  private append<T>(into: T[], rows: T[]): void {
    for (const row of rows) into.push(row);
    const excess = into.length - this.capacity;
    if (excess > 0) {
      into.splice(0, excess);
      this.dropped += excess;
    }
  }
}
