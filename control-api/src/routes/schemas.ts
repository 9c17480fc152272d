import { ApplyResultSchema, ErrorBodySchema, NOTIFY_TYPES, SessionsFilterSchema, SessionViewSchema } from '@downspin/protocol';
import { z } from 'zod';

/** Schemas of what the routes take and answer, shared by validation and (later) /openapi.json. */

export const SessionParamsSchema = z.object({
  /** A session's 12-hex hash, or its id. */
  id: z.string(),
});

export const SessionsQuerySchema = z.strictObject({
  filter: SessionsFilterSchema,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const HistoryEntrySchema = z.object({
  version: z.number().int(),
  kind: z.string(),
  body: z.unknown(),
  createdAt: z.string(),
});

export const SessionListResponseSchema = z.object({ sessions: z.array(SessionViewSchema) });
export const SessionDetailResponseSchema = z.object({ session: SessionViewSchema, history: z.array(HistoryEntrySchema) });
export const ApplyResponseSchema = z.object({ session: SessionViewSchema, applied: ApplyResultSchema });
export const NotifyResponseSchema = z.object({
  notification: z.object({ id: z.string(), message: z.string(), type: z.enum(NOTIFY_TYPES) }),
});

const DependencySchema = z.object({ ok: z.boolean(), detail: z.string() });
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

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The error responses every admin route may give. */
export const errorResponses = {
  400: json(ErrorBodySchema, 'Malformed session id, invalid JSON, body or query'),
  401: json(ErrorBodySchema, 'Missing or wrong API key'),
  413: json(ErrorBodySchema, 'Body too large'),
  415: json(ErrorBodySchema, 'Body is not JSON'),
  503: json(ErrorBodySchema, 'Session store or command bus unavailable; nothing was changed'),
};

export const jsonResponse = json;

/** Admin routes take the key in either header (see `apiKeyAuth`). */
export const adminSecurity: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];
