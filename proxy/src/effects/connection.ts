import { MAX_LATENCY_MS, type ConnectionSettings } from '@downspin/protocol';
import type { GateContext, RequestGate } from './effect.js';
import { registerEffect } from './registry.js';

/**
 * The cost of opening a connection: a new TCP connection and its TLS
 * handshake take round trips before the first request can be sent, which
 * per-request latency misses (a keep-alive connection pays them once). Adds
 * `setupMs` to the first request, or WebSocket handshake, of each client
 * connection; admission marks the socket (admission.ts), so later requests
 * on it, and messages of an open WebSocket, pay nothing. Fixed, so no state.
 */
export class ConnectionEffect implements RequestGate {
  readonly type = 'connection';
  /** After latency, so the sum can be capped at the most delay a request may be given. */
  readonly gateOrder = 40;

  constructor(readonly settings: ConnectionSettings) {}

  gate(context: GateContext): void {
    if (!context.newConnection) return;
    const delay = context.delayMs + this.settings.setupMs;
    context.delayMs = delay > MAX_LATENCY_MS ? MAX_LATENCY_MS : delay;
  }
}

registerEffect('connection', (settings) => new ConnectionEffect(settings));
