import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorKind } from '@downspin/protocol';
import type { PacedStream } from './pacing/paced-stream.js';
import type { StallingStream } from './pacing/stalling-stream.js';
import { GateDecision } from './shaping/gates.js';

/**
 * One HTTP request's context: the gates' decision plus the bookkeeping for
 * telemetry. The only object the proxy makes per request besides the
 * telemetry row.
 */
export class Exchange extends GateDecision {
  error: ErrorKind = '';
  upstreamStartedAt = 0;
  upstreamMs = 0;
  timer: NodeJS.Timeout | undefined;
  upPacer: PacedStream | undefined;
  downPacer: PacedStream | undefined;
  stall: StallingStream | undefined;
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    now: number,
    ts: number,
  ) {
    super(now, ts);
  }
}
