import type { SessionStore, TelemetryStore } from '@downspin/db';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { EXPORT_COLUMNS, exportFilename, exportStream, type ExportFormat } from '../analytics/export.js';
import { AnalyticsQuerySchema, rangeOf } from '../analytics/query.js';
import { analyticsErrors } from '../analytics/schemas.js';
import { telemetryHashOf } from '../analytics/session-filter.js';
import { ApiError } from '../errors.js';
import { adminSecurity } from './schemas.js';

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  json: 'application/json; charset=utf-8',
};

const columns = EXPORT_COLUMNS.join(', ');

function exportRoute(format: ExportFormat) {
  return createRoute({
    method: 'get',
    path: `/admin/analytics/export.${format}`,
    tags: ['analytics'],
    summary:
      format === 'csv'
        ? 'Request rows as CSV (RFC 4180, CRLF, header row; cells starting with = + - @ get a leading \' so spreadsheets never run them), streamed'
        : 'Request rows as one JSON array, one row per line, streamed',
    description:
      `Range: \`hours=N\` (default 24) or \`from\`/\`to\` (ISO 8601), at most 90 days; \`session\` (hash or id). ` +
      `Rows in time order, columns ${columns} (\`time\` is ISO 8601 UTC, \`ts\` epoch ms). Streamed as it is read: ` +
      'memory stays bounded however long the range. A failure after the first bytes aborts the transfer.',
    security: adminSecurity,
    request: { query: AnalyticsQuerySchema },
    responses: {
      200: {
        description: 'The rows, as an attachment (Content-Disposition filename downspin-requests-<from>-<to>.' + format + ')',
        content: { [CONTENT_TYPES[format].split(';')[0]!]: { schema: z.string() } },
      },
      ...analyticsErrors,
    },
  });
}

/** `GET /admin/analytics/export.csv` and `export.json` (API key): request rows of a range, streamed. */
export function registerAnalyticsExportRoutes(app: OpenAPIHono, { telemetry, store }: { telemetry: TelemetryStore | undefined; store: SessionStore }): void {
  for (const format of ['csv', 'json'] as const) {
    app.openapi(exportRoute(format), async (c) => {
      if (telemetry === undefined) throw new ApiError('telemetry_unavailable', { message: 'No telemetry store is configured.' });
      const query = c.req.valid('query');
      const range = rangeOf(query);
      const session = query.session === undefined ? undefined : await telemetryHashOf(store, query.session, 'invalid_query');
      const body = await exportStream(telemetry.exportRequests({ ...range, session }), format);
      return c.body(body, 200, {
        'content-type': CONTENT_TYPES[format],
        'content-disposition': `attachment; filename="${exportFilename(range, format)}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
    });
  }
}
