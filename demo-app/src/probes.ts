import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { DemoError, describeIssues } from './errors.js';
import { sendJson } from './respond.js';
import type { Route } from './router.js';

export const MAX_SLOW_MS = 30_000;

const SlowQuerySchema = z.strictObject({
  ms: z.coerce.number().int().min(0).max(MAX_SLOW_MS).default(1000),
});

/** Statuses that must not carry a body. */
const BODYLESS = new Set([204, 205, 304]);

/** `/health`, `/api/slow?ms=N` and `/api/status/:code`: endpoints for resilience scenarios. */
export function probeRoutes(startedAt: number): Route[] {
  return [
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/health\/?$/,
      handler: ({ res }) => sendJson(res, 200, { ok: true, uptimeMs: Date.now() - startedAt }),
    },
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/api\/slow\/?$/,
      handler: ({ res, url }) => {
        const parsed = SlowQuerySchema.safeParse(Object.fromEntries(url.searchParams));
        if (!parsed.success) throw new DemoError('invalid_query', describeIssues(parsed.error));
        const { ms } = parsed.data;
        const started = performance.now();
        const timer = setTimeout(() => {
          sendJson(res, 200, { ms, waitedMs: Math.round(performance.now() - started) });
        }, ms);
        res.once('close', () => clearTimeout(timer));
      },
    },
    {
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      pattern: /^\/api\/status\/([^/]+)$/,
      handler: ({ res, params }) => {
        const code = /^\d{3}$/.test(params[0]!) ? Number(params[0]) : NaN;
        if (!(code >= 200 && code <= 599)) throw new DemoError('invalid_status');
        if (BODYLESS.has(code)) {
          res.writeHead(code, { 'cache-control': 'no-store' });
          res.end();
          return;
        }
        sendJson(res, code, { status: code, message: STATUS_CODES[code] ?? 'Unknown status' });
      },
    },
  ];
}
