import { z } from 'zod';
import { NOTIFY_TYPES } from './commands.js';
import { ClientEventBatchSchema } from './telemetry.js';
import { SessionIdSchema } from './session.js';
import { MODES } from './shaping.js';
import { plainText } from './text.js';

/**
 * Messages of `WS /ws/client`, the extension's command channel.
 * The server speaks ServerToClient; the extension answers with ClientToServer.
 * Both sides check every message against these schemas and drop the rest.
 */

export const ServerToClientSchema = z.discriminatedUnion('type', [
  /** Sent once the hello is accepted. */
  z.strictObject({
    type: z.literal('welcome'),
    sessionHash: z.string().max(32),
    mode: z.enum(MODES),
    shaping: z.string().max(512),
  }),
  /** The session's shaping changed (upspin, downspin, profile, timeline). */
  z.strictObject({
    type: z.literal('mode'),
    mode: z.enum(MODES),
    shaping: z.string().max(512),
    version: z.number().int().nonnegative(),
  }),
  /** A toast for the user's page. Text only: never rendered as HTML. */
  z.strictObject({
    type: z.literal('notify'),
    id: z.string().max(64),
    message: z.string().min(1).max(500),
    level: z.enum(NOTIFY_TYPES),
  }),
  /** The session was ended; the channel closes after this. */
  z.strictObject({ type: z.literal('terminate'), reason: z.string().max(500) }),
]);
export type ServerToClient = z.output<typeof ServerToClientSchema>;
export type ServerToClientType = ServerToClient['type'];

export const ClientToServerSchema = z.discriminatedUnion('type', [
  /** First message: proves the session and states consent. */
  z.strictObject({
    type: z.literal('hello'),
    sessionId: SessionIdSchema,
    consent: z.literal(true),
    extensionVersion: plainText(z.string().max(32)).optional(),
  }),
  z.strictObject({ type: z.literal('events'), events: ClientEventBatchSchema }),
  /** Keeps an MV3 service worker (and the connection) alive. */
  z.strictObject({ type: z.literal('keepalive') }),
  /** Consent withdrawn: the server records it and closes the channel. */
  z.strictObject({ type: z.literal('revoke') }),
]);
export type ClientToServer = z.output<typeof ClientToServerSchema>;

/** Largest client message the server accepts, in bytes. */
export const CLIENT_CHANNEL_MAX_PAYLOAD = 64 * 1024;
/** Close code when the hello is missing, late or invalid. */
export const WS_CLOSE_UNAUTHENTICATED = 4401;
/** Close code when a client sends hellos or events faster than its limits (per session and per address). */
export const WS_CLOSE_RATE_LIMITED = 4429;
