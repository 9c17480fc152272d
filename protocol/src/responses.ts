import { z } from 'zod';
import { ApplyResultSchema, NOTIFY_TYPES, SessionViewSchema } from './commands.js';
import { ErrorBodySchema, type ErrorBody } from './errors.js';

/*
 * What the control API answers, beside what it takes (commands.ts,
 * analytics.ts). The API builds its routes and /openapi.json from these; the
 * dashboard, the Playwright fixture and the CLI check every answer with them.
 */

/** One stored shaping command of a session, newest first in a session's detail. */
export const HistoryEntrySchema = z.object({
  version: z.number().int(),
  kind: z.string(),
  body: z.unknown(),
  createdAt: z.string(),
});
export type HistoryEntry = z.output<typeof HistoryEntrySchema>;

/** `GET /admin/sessions`. */
export const SessionListResponseSchema = z.object({ sessions: z.array(SessionViewSchema) });
export type SessionListResponse = z.output<typeof SessionListResponseSchema>;

/** `GET /admin/sessions/{id}`. */
export const SessionDetailResponseSchema = z.object({ session: SessionViewSchema, history: z.array(HistoryEntrySchema) });
export type SessionDetailResponse = z.output<typeof SessionDetailResponseSchema>;

/** Every shaping command (upspin, downspin, profile, timeline, terminate): the session as it is now and which proxies applied it. */
export const ApplyResponseSchema = z.object({ session: SessionViewSchema, applied: ApplyResultSchema });
export type ApplyResponse = z.output<typeof ApplyResponseSchema>;

/** A toast queued for a session's page. */
export const SessionNotificationSchema = z.object({ id: z.string(), message: z.string(), type: z.enum(NOTIFY_TYPES) });
export type SessionNotification = z.output<typeof SessionNotificationSchema>;

/** `POST /admin/sessions/{id}/notify`. */
export const NotifyResponseSchema = z.object({ notification: SessionNotificationSchema });
export type NotifyResponse = z.output<typeof NotifyResponseSchema>;

/** `POST /events`: how many client events were stored. */
export const EventsAcceptedResponseSchema = z.object({ accepted: z.number().int() });
export type EventsAcceptedResponse = z.output<typeof EventsAcceptedResponseSchema>;

const DependencySchema = z.object({ ok: z.boolean(), detail: z.string() });

/** `GET /health`, with 200 (ok) or 503 (degraded). */
export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  dependencies: z.object({
    store: DependencySchema.extend({ kind: z.string() }),
    bus: DependencySchema.extend({ kind: z.string() }),
    proxies: DependencySchema.extend({ live: z.array(z.string()) }),
    /** The telemetry store analytics read (memory or ClickHouse), when the API has one. */
    telemetry: DependencySchema.extend({ kind: z.string() }).optional(),
  }),
  /** Open WebSockets on this instance, per channel. */
  channels: z.object({ client: z.number().int(), dashboard: z.number().int() }).optional(),
});
export type HealthResponse = z.output<typeof HealthResponseSchema>;

/**
 * The `{ code, message, details? }` of an error answer's body text, or
 * undefined when the body is not the API's error body (an HTML page of
 * something in between, an empty or cut-off body). How every client reads
 * an error answer.
 */
export function parseErrorBody(text: string): ErrorBody['error'] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ErrorBodySchema.safeParse(json);
  return parsed.success ? parsed.data.error : undefined;
}
