import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { DemoError, sendError } from './errors.js';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Capture groups of the route's pattern. */
  params: string[];
}

export type RouteHandler = (context: RouteContext) => void | Promise<void>;

export interface Route {
  methods: readonly string[];
  /** Matched against the whole path. */
  pattern: RegExp;
  handler: RouteHandler;
}

/**
 * A small first-match router. A path that matches with the wrong method
 * answers 405 with `Allow`; no match goes to `fallback`. Whatever a handler
 * throws becomes a JSON error: DemoErrors as themselves, anything else is
 * logged and answers 500.
 */
export function createRouter(routes: readonly Route[], fallback: RouteHandler, logger: Logger) {
  return function route(req: IncomingMessage, res: ServerResponse): void {
    // A relative base: the Host header is client input and never needed here.
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const method = req.method ?? 'GET';
    const allowed = new Set<string>();
    let chosen: RouteContext | undefined;
    let handler: RouteHandler = fallback;
    for (const candidate of routes) {
      const match = candidate.pattern.exec(url.pathname);
      if (match === null) continue;
      if (candidate.methods.includes(method)) {
        chosen = { req, res, url, params: match.slice(1) };
        handler = candidate.handler;
        break;
      }
      for (const m of candidate.methods) allowed.add(m);
    }
    if (chosen === undefined && allowed.size > 0) {
      sendError(res, new DemoError('method_not_allowed', undefined, ['allow', [...allowed].join(', ')]));
      return;
    }
    const context = chosen ?? { req, res, url, params: [] };
    try {
      const pending = handler(context);
      if (pending !== undefined) pending.catch((error: unknown) => fail(context, error));
    } catch (error) {
      fail(context, error);
    }
  };

  function fail({ req, res }: RouteContext, error: unknown): void {
    if (res.destroyed) return;
    if (error instanceof DemoError) {
      sendError(res, error);
      return;
    }
    logger.error({ err: error, method: req.method, url: req.url }, 'demo app handler failed');
    sendError(res, new DemoError('internal'));
  }
}
