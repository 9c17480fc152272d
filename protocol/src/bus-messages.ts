import { z } from 'zod';
import { SessionShapingSchema } from './shaping.js';
import { SessionIdSchema } from './session.js';
import { ServerToClientSchema } from './client-channel.js';

/**
 * Messages between the control API and proxies over the command bus
 * (in-process or Redis pub/sub). Pub/sub may lose messages, so commands are
 * versioned and idempotent and proxies reload state from the store when they
 * (re)connect.
 */
export const BUS_CHANNELS = ['commands', 'acks', 'presence', 'activity', 'client'] as const;
export type BusChannel = (typeof BUS_CHANNELS)[number];

const proxyId = z.string().min(1).max(128);

/** control → proxies: a session's shaping at a new version. */
export const ShapingCommandSchema = z.strictObject({
  type: z.literal('shaping'),
  commandId: z.string().min(1).max(64),
  shaping: SessionShapingSchema,
});

/** proxy → control: a version was applied (or was already older than what it had). */
export const AckSchema = z.strictObject({
  type: z.literal('ack'),
  commandId: z.string().min(1).max(64),
  proxyId,
  sessionId: SessionIdSchema,
  version: z.number().int().nonnegative(),
});

const tally = z.number().int().nonnegative();

/** A proxy's telemetry pipeline: rows waiting, written to the store, spilled to disk, dropped. */
export const TelemetryTallySchema = z.strictObject({
  queued: tally,
  written: tally,
  spilled: tally,
  replayed: tally,
  dropped: tally,
});
export type TelemetryTally = z.output<typeof TelemetryTallySchema>;

/** proxy → control, every second: "I am alive", with its load figures. */
export const PresenceSchema = z.strictObject({
  type: z.literal('presence'),
  proxyId,
  startedAt: z.number().int().nonnegative(),
  at: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
  connections: z.number().int().nonnegative(),
  requestsPerSecond: z.number().nonnegative(),
  requestsTotal: tally.optional(),
  webSockets: tally.optional(),
  /** Where the proxy is reachable, for operators. */
  url: z.string().max(512).optional(),
  telemetry: TelemetryTallySchema.optional(),
  /** False while the proxy is leaving: stop waiting for its acks. */
  alive: z.boolean(),
});

/** What a proxy saw of one session since its last report (counts are deltas). */
export const SessionActivitySchema = z.strictObject({
  sessionId: SessionIdSchema,
  firstSeen: z.number().int().nonnegative(),
  lastSeen: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  violations: z.number().int().nonnegative(),
  userAgent: z.string().max(512),
  ip: z.string().max(64),
  /** Set when this proxy banned the session (epoch ms). */
  bannedUntil: z.number().int().nonnegative().optional(),
});
export type SessionActivity = z.output<typeof SessionActivitySchema>;

export const ActivitySchema = z.strictObject({
  type: z.literal('activity'),
  proxyId,
  sessions: z.array(SessionActivitySchema).max(10_000),
});

/** control → whichever control instance holds the session's client channel. */
export const ClientDeliverySchema = z.strictObject({
  type: z.literal('client'),
  sessionId: SessionIdSchema,
  message: ServerToClientSchema,
});

export const BusMessageSchemas = {
  commands: ShapingCommandSchema,
  acks: AckSchema,
  presence: PresenceSchema,
  activity: ActivitySchema,
  client: ClientDeliverySchema,
} as const satisfies Record<BusChannel, z.ZodType>;

export type BusMessage<C extends BusChannel> = z.output<(typeof BusMessageSchemas)[C]>;
export type ShapingCommand = BusMessage<'commands'>;
export type Ack = BusMessage<'acks'>;
export type Presence = BusMessage<'presence'>;
export type Activity = BusMessage<'activity'>;
export type ClientDelivery = BusMessage<'client'>;
