import type { Socket } from 'node:net';
import type { WsRow } from '@downspin/protocol';
import { takeSocketBytes } from '../connection.js';
import type { ProxyContext } from '../context.js';
import type { GateDecision } from '../shaping/gates.js';
import type { RelayResult } from './relay.js';

export interface RecordedConnection {
  /** The client's socket, whose bytes are counted when the connection ends. */
  socket: Socket;
  decision: GateDecision;
  host: string;
  path: string;
  ip: string;
}

/**
 * Records a WebSocket connection when it ends: its bytes on the session and
 * its telemetry row. It takes only what the row needs (not the upgrade
 * request), so an open connection keeps no request headers alive.
 */
export function connectionRecorder(
  { telemetry, proxyId }: Pick<ProxyContext, 'telemetry' | 'proxyId'>,
  { socket, decision, host, path, ip }: RecordedConnection,
): (result: Partial<RelayResult>) => void {
  const { session } = decision;
  return (result) => {
    // Every byte the client's connection moved (handshake, frames, close) that messages did not already count.
    const moved = { bytesIn: 0, bytesOut: 0 };
    takeSocketBytes(socket, moved);
    session.recordBytes(Math.max(0, moved.bytesIn - (result.recordedIn ?? 0)), Math.max(0, moved.bytesOut - (result.recordedOut ?? 0)));
    const row: WsRow = {
      ts: decision.ts,
      sessionHash: session.hash,
      proxyId,
      host,
      path,
      route: '',
      durationMs: performance.now() - decision.now,
      messagesIn: result.messagesIn ?? 0,
      messagesOut: result.messagesOut ?? 0,
      bytesIn: result.bytesIn ?? 0,
      bytesOut: result.bytesOut ?? 0,
      closeCode: result.closeCode ?? 0,
      injectedMs: decision.delayMs,
      shapingVersion: decision.shapingVersion,
      fault: result.fault || decision.fault,
      error: result.error ?? '',
      country: '',
    };
    telemetry.webSocket(row, ip);
  };
}
