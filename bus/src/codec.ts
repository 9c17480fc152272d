import { BusMessageSchemas, describeZodError, type BusChannel, type BusMessage } from '@downspin/protocol';
import { InvalidBusMessageError } from './errors.js';

/** Validates a message for its channel and writes it as the JSON text that goes on the wire. */
export function encodeBusMessage<C extends BusChannel>(channel: C, message: BusMessage<C>): string {
  const parsed = BusMessageSchemas[channel].safeParse(message);
  if (!parsed.success) {
    throw new InvalidBusMessageError(`invalid ${channel} message: ${describeZodError(parsed.error)}`);
  }
  return JSON.stringify(parsed.data);
}

export type DecodeResult<C extends BusChannel> = { ok: true; message: BusMessage<C> } | { ok: false; reason: string };

/**
 * Reads wire text for a channel. Anything a peer sends is untrusted (an old
 * version, a bug, a hostile client on the same Redis), so this never throws.
 */
export function decodeBusMessage<C extends BusChannel>(channel: C, raw: string): DecodeResult<C> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = BusMessageSchemas[channel].safeParse(value);
  if (!parsed.success) return { ok: false, reason: describeZodError(parsed.error).slice(0, 300) };
  return { ok: true, message: parsed.data as BusMessage<C> };
}
