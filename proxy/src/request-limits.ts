import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { writeErrorResponse, writeUpgradeRefusal } from './errors.js';
import { originFormOf } from './url.js';

/**
 * Most request headers forwarded. Node's servers (the app under test is
 * often one) keep the first 1,000 headers and silently drop the rest, and the
 * proxy adds its own (X-Forwarded-*), so a request near that cap would reach
 * the app cut. Far more than any browser or API client sends; beyond it the
 * request is refused with 431 instead of forwarded short.
 */
export const MAX_REQUEST_HEADERS = 500;

/**
 * Lets the server parse every header so the count can be checked: its own
 * cap (maxHeadersCount) drops the excess silently. Memory stays bounded by
 * maxHeaderSize (16 KiB of header bytes).
 */
export function countAllHeaders(server: Server): void {
  server.maxHeadersCount = 0;
}

/**
 * Refuses a request with more headers than are forwarded (431) or a target
 * that is no URL (400); true when it did. An absolute-form target
 * (`GET http://other.example/api/x`) is rewritten to its path first: forward
 * mode has already picked its upstream (forward/mode.ts: a listed host, or
 * refused), otherwise it goes to the proxy's target; either way route globs
 * and telemetry must see `/api/x`, or a client could step around
 * route-scoped shaping.
 */
export function refuseRequestShape(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.rawHeaders.length > 2 * MAX_REQUEST_HEADERS) {
    res.shouldKeepAlive = false;
    writeErrorResponse(res, 'too_many_headers');
    return true;
  }
  if (toOriginForm(req)) return false;
  res.shouldKeepAlive = false;
  writeErrorResponse(res, 'bad_request_target');
  return true;
}

/** Rewrites an absolute-form target to origin-form (path and query); false when it is no http(s) URL. */
export function toOriginForm(req: IncomingMessage): boolean {
  const url = req.url ?? '/';
  if (url === '*') return true;
  const path = originFormOf(url);
  if (path === undefined) return false;
  if (path !== url) req.url = path;
  return true;
}

/**
 * Refuses an upgrade the proxy cannot carry; true when it did. Only
 * WebSocket is relayed: an `Upgrade: h2c` (or any other protocol) handed to
 * the WebSocket path would become a WebSocket handshake upstream.
 */
export function refuseUpgradeShape(req: IncomingMessage, socket: Socket): boolean {
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined || upgrade.trim().toLowerCase() !== 'websocket') {
    socket.on('error', () => socket.destroy());
    writeUpgradeRefusal(socket, 'unsupported_upgrade');
    return true;
  }
  if (req.rawHeaders.length > 2 * MAX_REQUEST_HEADERS) {
    socket.on('error', () => socket.destroy());
    writeUpgradeRefusal(socket, 'too_many_headers');
    return true;
  }
  if (!toOriginForm(req)) {
    socket.on('error', () => socket.destroy());
    writeUpgradeRefusal(socket, 'bad_request_target');
    return true;
  }
  return false;
}
