import { ErrorBodySchema, SessionsFilterSchema } from '@downspin/protocol';
import { z } from 'zod';

/**
 * What only the routes need: path and query parameters, the OpenAPI response
 * helpers. The bodies the routes take and answer are protocol's (commands.ts,
 * responses.ts, analytics.ts), shared with the dashboard, the fixture and the CLI.
 */

export const SessionParamsSchema = z.object({
  /** A session's 12-hex hash, or its id. */
  id: z.string(),
});

export const SessionsQuerySchema = z.strictObject({
  filter: SessionsFilterSchema,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
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
