import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ERROR_CATALOGUE, type ErrorCode, type FaultKind } from '@downspin/protocol';

export interface ErrorResponseOptions {
  /** Overrides the catalogue's status (injected faults answer the profile's status). */
  status?: number;
  /** Flat [name, value, …] list of extra headers. */
  headers?: readonly string[];
  /** Answer with an HTML page (browsers asking for a document). */
  html?: boolean;
  /** More words for the user, e.g. the upstream's error code. */
  details?: string;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The one place the proxy writes its own error responses: JSON
 * `{ "error": { "code", "message" } }`, or a small HTML page for browsers.
 * Marked with `x-downspin-error` so a tester can tell them from the app's.
 */
export function writeErrorResponse(res: ServerResponse, code: ErrorCode, options: ErrorResponseOptions = {}): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const entry = ERROR_CATALOGUE[code];
  const status = options.status ?? entry.status;
  const body = options.html
    ? `<!doctype html><html><head><meta charset="utf-8"><title>${status} · downspin</title></head>` +
      `<body style="font-family:system-ui;margin:3rem;color:#123"><h1 style="color:#1d4ed8">${status} · ${escapeHtml(code)}</h1>` +
      `<p>${escapeHtml(entry.message)}</p>${options.details ? `<p><code>${escapeHtml(options.details)}</code></p>` : ''}` +
      `<p style="color:#567">Answered by the downspin proxy, not by the app under test.</p></body></html>`
    : JSON.stringify({ error: { code, message: entry.message, ...(options.details ? { details: options.details } : {}) } });
  const headers = options.headers;
  if (headers) for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
  res.setHeader('content-type', options.html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-downspin-error', code);
  res.statusCode = status;
  res.end(body);
}

/** Whether a request prefers an HTML error page (a browser navigation). */
export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}

/** Refuses a WebSocket upgrade on the raw socket, with the same JSON body; `headers` as a flat [name, value, …] list. */
export function writeUpgradeRefusal(
  socket: Socket,
  code: ErrorCode,
  status: number = ERROR_CATALOGUE[code].status,
  headers?: readonly string[],
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message: ERROR_CATALOGUE[code].message } });
  let extra = '';
  if (headers) for (let i = 0; i < headers.length; i += 2) extra += `${headers[i]}: ${headers[i + 1]}\r\n`;
  socket.end(
    `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Downspin-Error: ${code}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    403: 'Forbidden',
    408: 'Request Timeout',
    429: 'Too Many Requests',
    431: 'Request Header Fields Too Large',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return texts[status] ?? 'Error';
}

/** The catalogue entry for a request the gates refused. */
export function refusalCode(fault: FaultKind): ErrorCode {
  switch (fault) {
    case 'rate_limited':
      return 'rate_limited';
    case 'terminated':
      return 'session_terminated';
    case 'banned':
      return 'session_banned';
    default:
      return 'injected_fault';
  }
}
