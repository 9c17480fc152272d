import type { Mode } from '@downspin/protocol';
import type { Settings } from './settings.js';

/** Where the command channel is. */
export type ConnectionState =
  /** No consent: no channel at all. */
  | 'off'
  | 'connecting'
  /** Connected and welcomed. */
  | 'open'
  /** Lost; the next attempt is scheduled (`retryAt`). */
  | 'waiting'
  /** The session was terminated: no more attempts until a new session. */
  | 'terminated';

/** Counters shown in the popup's diagnostics. */
export interface Diagnostics {
  /** Server messages received on the channel. */
  received: number;
  /** Messages that passed the schema and ran their handler. */
  handled: number;
  /** Messages dropped: not JSON, or not matching the schema of their type. */
  malformed: number;
  /** Messages dropped: a type the extension does not know. */
  unknown: number;
  /** Handlers that failed (logged, never rethrown). */
  failed: number;
  /** Times the channel opened again after losing it. */
  reconnects: number;
  /** Retries scheduled: each lost or failed connection waits longer, up to the backoff's cap. */
  retries: number;
  /** Client events sent on the channel / by `POST /events`. */
  eventsSent: number;
  eventsPosted: number;
  /** Client events thrown away (invalid, or nowhere to send them). */
  eventsDropped: number;
}

export const EMPTY_DIAGNOSTICS: Diagnostics = {
  received: 0,
  handled: 0,
  malformed: 0,
  unknown: 0,
  failed: 0,
  reconnects: 0,
  retries: 0,
  eventsSent: 0,
  eventsPosted: 0,
  eventsDropped: 0,
};

/** A request to a host routed through downspin failed because the browser does not trust downspin's CA yet. */
export interface UntrustedCa {
  host: string;
  /** The browser's words, e.g. net::ERR_CERT_AUTHORITY_INVALID. */
  error: string;
  at: number;
}

/** Everything the popup shows: the background's state, mirrored to `storage.session`. */
export interface ExtensionState {
  consent: boolean;
  /** 12-hex short hash of the session id (never the id itself). */
  sessionHash: string | null;
  /** The session's mode as last told by the server; null before the welcome. */
  mode: Mode | null;
  /** Words for the shaping, e.g. "latency 2000 ms". */
  shaping: string;
  connection: ConnectionState;
  /** Epoch ms of the next connection attempt while `waiting`. */
  retryAt: number | null;
  terminated: { reason: string; at: number } | null;
  capture: boolean;
  settings: Settings;
  /** Host permission patterns the settings need and the user has not granted. */
  missingPermissions: string[];
  diagnostics: Diagnostics;
  /** Set while requests to the routed hosts fail on downspin's certificate (cleared by one that completes). */
  untrustedCa: UntrustedCa | null;
  /** The last problem worth telling the user (plain words), if any. */
  lastError: string | null;
}
