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

/** What a session knows about why it is refused: read only when a refusal is written. */
export interface RefusedSession {
  readonly terminatedReason: string | undefined;
  readonly bannedUntil: number;
  /** The shaping in words, as the dashboard shows it. */
  readonly label: string;
}

/**
 * The headline of each page, so a person in the browser reads what happened
 * rather than a catalogue code. Codes without one use the catalogue message.
 */
const PAGE_HEADINGS: Partial<Record<ErrorCode, string>> = {
  session_terminated: 'This session was ended',
  session_banned: 'This session is banned',
  rate_limited: 'Too many requests',
  injected_fault: 'Fault injected by downspin',
  upstream_unreachable: 'The app under test could not be reached',
  upstream_timeout: 'The app under test did not answer in time',
  malformed_session_id: 'Malformed session id',
};

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The proxy's own page for a browser navigation. Contract relied on by the
 * browser suites: `<body data-downspin-error="<code>">` (the JSON `error.code`)
 * and a `<title>` starting with `downspin:`. Every interpolated text is escaped
 * (a terminate reason is an operator's free text).
 */
export function errorPage(code: ErrorCode, status: number, details: string | undefined): string {
  const heading = escapeHtml(PAGE_HEADINGS[code] ?? ERROR_CATALOGUE[code].message);
  const safeCode = escapeHtml(code);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>downspin: ${heading} (${status})</title></head>` +
    `<body data-downspin-error="${safeCode}" style="font-family:system-ui,sans-serif;margin:3rem;max-width:42rem;color:#123">` +
    `<h1 style="color:#1d4ed8">${heading}</h1>` +
    `<p>${escapeHtml(ERROR_CATALOGUE[code].message)}</p>` +
    (details ? `<p data-downspin-details>${escapeHtml(details)}</p>` : '') +
    `<p style="color:#567">${status} · <code>${safeCode}</code> · answered by the downspin proxy, not by the app under test.</p>` +
    `</body></html>`
  );
}

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
    ? errorPage(code, status, options.details)
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

/**
 * Answers a request the gates refused (terminated, banned, rate limited,
 * injected fault) with the decision's status and headers: a page saying what
 * happened and why for a browser navigation, JSON for API clients. JSON
 * carries the why only for terminate and ban (rare); a 429 flood or an
 * injected error rate stays one stringify per refusal.
 */
export function writeRefusal(
  res: ServerResponse,
  accept: string | undefined,
  fault: FaultKind,
  status: number,
  headers: readonly string[],
  session: RefusedSession,
): void {
  const code = refusalCode(fault);
  const html = wantsHtml(accept);
  const details =
    html || code === 'session_terminated' || code === 'session_banned' ? refusalDetails(code, session, headers) : undefined;
  writeErrorResponse(res, code, { status, headers, html, details });
}

/** Words naming who refused and until when, for the page (and the JSON of terminate/ban). */
export function refusalDetails(code: ErrorCode, session: RefusedSession, headers: readonly string[]): string {
  switch (code) {
    case 'session_terminated': {
      const reason = session.terminatedReason?.trim();
      return `Terminated by an operator through downspin (dashboard, control API, CLI or a test's shaper.terminate). Reason: ${reason ? reason : 'none given'}.`;
    }
    case 'session_banned':
      return `Banned by downspin's abuse guard after repeated rate-limit violations, until ${new Date(session.bannedUntil).toISOString()} (Retry-After: ${headerValue(headers, 'retry-after') ?? '?'} s).`;
    case 'rate_limited':
      return `The rate limit in this session's downspin profile was exceeded. Retry after ${headerValue(headers, 'retry-after') ?? '?'} s (Retry-After header).`;
    default:
      return `This answer was injected by the downspin profile of this session (${session.label || 'no label'}); the app under test was not called.`;
  }
}

function headerValue(headers: readonly string[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() === name) return headers[i + 1];
  return undefined;
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
    407: 'Proxy Authentication Required',
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
