import type { ClientEventRow } from '@downspin/db';
import type { ClientEvent } from '@downspin/protocol';
import type { ClientEventsSink } from '../events/intake.js';

/** What the sink needs of a `TelemetryWriter`. */
export interface ClientEventsWriter {
  writeClientEvents(rows: ClientEventRow[]): void;
}

/**
 * The `clientEvents` dep of `createControlApi`: accepted client events
 * (consented sessions only; the intake checks) go to the telemetry store
 * through the writer, batched and spilled like the proxy's rows, keyed by
 * the session's hash.
 *
 * @example
 * createControlApi({ …, clientEvents: telemetryClientEvents(telemetry.writer) });
 */
export function telemetryClientEvents(writer: ClientEventsWriter): ClientEventsSink {
  return function writeClientEvents(sessionHash: string, events: readonly ClientEvent[]) {
    writer.writeClientEvents(events.map((event) => ({ ...event, sessionHash })));
  };
}
