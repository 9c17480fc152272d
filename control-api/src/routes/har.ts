import type { SessionStore, TelemetryStore } from '@downspin/db';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBodySchema, HarSchema } from '@downspin/protocol';
import { RangeQuerySchema, rangeOf } from '../analytics/query.js';
import { analyticsErrors } from '../analytics/schemas.js';
import { ApiError } from '../errors.js';
import { sessionHar } from '../sessions/har.js';
import { requireSession } from '../sessions/resolve.js';
import { fromStore } from '../store-errors.js';
import { adminSecurity, jsonResponse, SessionParamsSchema } from './schemas.js';

/** Shaping commands a HAR's log comment lists: the whole history a QA engineer attaches to a bug. */
const HISTORY_IN_HAR = 1000;

const harRoute = createRoute({
  method: 'get',
  path: '/admin/sessions/{id}/har',
  tags: ['sessions'],
  summary: "A session's requests as HAR 1.2 (opens in Chrome DevTools' network panel), with what downspin did to each",
  description:
    'From the telemetry rows of the range (`hours=N`, default 24, or `from`/`to`) and the shaping history. Each entry: ' +
    '`timings.blocked` = the delay downspin injected, `wait` = the upstream time, `receive` = the rest of the total (transfer, pacing); ' +
    "`comment` and `_downspin` say the shaping in force, its version and any fault. The log's `comment` lists the shaping history. " +
    'At most the latest 10,000 requests.',
  security: adminSecurity,
  request: { params: SessionParamsSchema, query: RangeQuerySchema },
  responses: {
    200: jsonResponse(HarSchema, 'The HAR, as an attachment (downspin-<hash>.har)'),
    404: jsonResponse(ErrorBodySchema, 'No such session'),
    ...analyticsErrors,
  },
});

/** `GET /admin/sessions/{id}/har` (API key). */
export function registerHarRoute(app: OpenAPIHono, { telemetry, store }: { telemetry: TelemetryStore | undefined; store: SessionStore }): void {
  app.openapi(harRoute, async (c) => {
    const record = await requireSession(store, c.req.valid('param').id);
    if (telemetry === undefined) throw new ApiError('telemetry_unavailable', { message: 'No telemetry store is configured.' });
    const range = rangeOf(c.req.valid('query'));
    const history = await fromStore(() => store.history(record.id, HISTORY_IN_HAR));
    const har = await sessionHar(telemetry.exportRequests({ ...range, session: record.hash }), record.hash, history);
    return c.json(har, 200, {
      'content-disposition': `attachment; filename="downspin-${record.hash}.har"`,
      'cache-control': 'no-store',
    });
  });
}
