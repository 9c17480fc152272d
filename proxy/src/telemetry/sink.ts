import type { RequestRow, RowPreparer, TelemetryTally, WsRow } from '@downspin/protocol';


/**
 * Where the proxy's telemetry goes: THE queue rows wait in (the proxy keeps
 * no queue of its own). Taking a row is an array push on the request path:
 * an implementation never throws or blocks, bounds what it holds and counts
 * what it drops (a store that is down is the sink's problem, not the
 * proxy's). TelemetryWriter in @downspin/db is the real one.
 */
export interface TelemetrySink {
  /** One request row; `source` is the client IP its country is looked up from. */
  request(row: RequestRow, source: string): void;
  webSocket(row: WsRow, source: string): void;
  /** Sets what fills each row's route and country, run off the request path before the row is stored. */
  prepareWith(preparer: RowPreparer): void;
  /** The sink's tallies (queued, written, spilled, replayed, dropped), for /admin/stats. */
  stats(): Partial<TelemetryTally>;
}

/** A bounded in-memory sink for tests: prepares each row at once and keeps the newest `capacity` rows of each kind. */
export class MemoryTelemetrySink implements TelemetrySink {
  readonly requests: RequestRow[] = [];
  readonly webSockets: WsRow[] = [];
  dropped = 0;
  private preparer: RowPreparer | undefined;

  constructor(private readonly capacity = 100_000) {}

  stats(): Partial<TelemetryTally> {
    return { queued: 0, written: this.requests.length + this.webSockets.length + this.dropped, dropped: this.dropped };
  }

  prepareWith(preparer: RowPreparer): void {
    this.preparer = preparer;
  }

  request(row: RequestRow, source: string): void {
    this.preparer?.('requests', [row], [source], 0, 1);
    this.append(this.requests, row);
  }

  webSocket(row: WsRow, source: string): void {
    this.preparer?.('websockets', [row], [source], 0, 1);
    this.append(this.webSockets, row);
  }

  private append<T>(into: T[], row: T): void {
    into.push(row);
    if (into.length > this.capacity) {
      into.shift();
      this.dropped++;
    }
  }
}
