import type { ClientEvent } from '@downspin/protocol';
import type { Logger } from 'pino';

/**
 * Where accepted client events go: the telemetry store's writer, given the
 * session's hash (telemetry never holds session ids). May be async; a
 * failure is logged and counted, never passed back to the extension.
 */
export type ClientEventsSink = (sessionHash: string, events: readonly ClientEvent[]) => void | Promise<void>;

export interface ClientEventStats {
  /** Events accepted from sessions with consent. */
  accepted: number;
  /** Accepted events thrown away because no sink is configured. */
  discarded: number;
  /** Batches refused: invalid, oversized, no consent, foreign origin. */
  rejected: number;
  /** Batches the sink failed to take. */
  sinkErrors: number;
}

/**
 * The one way client events (page views, clicks, timings) come in, from
 * `WS /ws/client` and `POST /events` alike: callers check consent and
 * validate first; this counts and hands the batch to the sink.
 */
export class ClientEventIntake {
  private readonly counts: ClientEventStats = { accepted: 0, discarded: 0, rejected: 0, sinkErrors: 0 };

  constructor(
    private readonly sink: ClientEventsSink | undefined,
    private readonly logger: Logger,
  ) {}

  accept(sessionHash: string, events: readonly ClientEvent[]): void {
    this.counts.accepted += events.length;
    if (this.sink === undefined) {
      this.counts.discarded += events.length;
      return;
    }
    try {
      const pending = this.sink(sessionHash, events);
      if (pending instanceof Promise) pending.catch((error: unknown) => this.failed(error, events.length));
    } catch (error) {
      this.failed(error, events.length);
    }
  }

  reject(): void {
    this.counts.rejected++;
  }

  stats(): ClientEventStats {
    return { ...this.counts };
  }

  private failed(error: unknown, events: number): void {
    this.counts.sinkErrors++;
    this.logger.warn({ err: error, events }, 'the client events sink failed; batch lost');
  }
}
