import { ErrorBodySchema } from '@downspin/protocol';
import { jsonResponse } from '../routes/schemas.js';

// The analytics response schemas live in @downspin/protocol (analytics.ts): the dashboard checks its answers with them.

/** The error responses of an analytics read, for /openapi.json. */
export const analyticsErrors = {
  400: jsonResponse(ErrorBodySchema, '`invalid_query`: a bad or unknown query parameter, named in the message (from after to, range over 90 days, too many buckets, …)'),
  401: jsonResponse(ErrorBodySchema, 'Missing or wrong API key'),
  503: jsonResponse(ErrorBodySchema, '`telemetry_unavailable`: the telemetry store cannot be read'),
};
