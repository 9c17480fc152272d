import { z } from 'zod';

/**
 * The error catalogue: every error downspin answers with, by code. Servers
 * write these as `{ "error": { "code", "message" } }` from one place each.
 */
export const ERROR_CATALOGUE = {
  // request shape
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_body: { status: 400, message: 'The request body does not match the schema.' },
  invalid_query: { status: 400, message: 'The query string does not match the schema.' },
  malformed_session_id: {
    status: 400,
    message: 'A session id is 1-128 characters of A-Z a-z 0-9 _ - (header x-downspin-session or cookie downspin_sid).',
  },
  invalid_upgrade: {
    status: 400,
    message: 'Not a valid WebSocket handshake: GET with Upgrade: websocket, a 16-byte base64 Sec-WebSocket-Key, Sec-WebSocket-Version 13.',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  bad_request_target: { status: 400, message: 'The request target is not a path, an absolute URL or *.' },
  too_many_headers: { status: 431, message: 'Too many request headers: the proxy forwards at most 500.' },
  unsupported_upgrade: {
    status: 400,
    message: 'Only WebSocket upgrades (Upgrade: websocket) are proxied; h2c and other protocols are refused.',
  },
  bad_connect_target: { status: 400, message: 'CONNECT needs a host and a port (host:443, [v6]:443).' },
  malformed_proxy_credentials: {
    status: 400,
    message: 'Proxy-Authorization must be Basic base64(sessionId:anything), the session id 1-128 characters of A-Z a-z 0-9 _ -.',
  },
  proxy_credentials_required: {
    status: 407,
    message: 'This proxy needs the session id as the proxy user name (Proxy-Authorization: Basic base64(sessionId:anything)).',
  },
  // forward mode (the proxy as the browser's proxy)
  forward_host_refused: {
    status: 403,
    message: "This host is not in the proxy's --intercept list: forward mode refuses it (downspin is never an open proxy).",
  },
  forward_address_refused: {
    status: 403,
    message: 'This unlisted host resolves to a loopback, link-local or metadata address (or does not resolve): it is never tunnelled there.',
  },
  forward_tunnels_exhausted: { status: 503, message: 'Too many tunnels of unlisted hosts are open; retry later.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  // auth
  unauthorized: { status: 401, message: 'Missing or wrong API key: send X-API-Key or Authorization: Bearer.' },
  forbidden_origin: { status: 403, message: 'This origin may not open the connection.' },
  consent_required: { status: 403, message: 'This session has not given consent through the extension; client events are not accepted.' },
  // lookups
  not_found: { status: 404, message: 'Not found.' },
  session_not_found: { status: 404, message: 'No session with that hash or id.' },
  scenario_not_found: { status: 404, message: 'No scenario with that name.' },
  malformed_scenario_name: {
    status: 400,
    message: 'A scenario name is 1-80 letters, digits, spaces and . _ ( ) -, not a preset name.',
  },
  // shaping outcomes written by the proxy
  session_terminated: { status: 403, message: 'This session was ended by an operator.' },
  session_banned: { status: 403, message: 'This session is banned for repeated rate-limit violations.' },
  rate_limited: { status: 429, message: 'Too many requests: rate limit of this session exceeded.' },
  address_rate_limited: { status: 429, message: 'Too many requests from this address, across all its sessions.' },
  address_banned: { status: 403, message: 'This address is banned for repeated rate-limit violations, across all its sessions.' },
  // written by the control API to clients without a key (extension channel, POST /events)
  client_rate_limited: { status: 429, message: 'Too many client requests from this session or address; retry after Retry-After seconds.' },
  injected_fault: { status: 503, message: 'Fault injected by downspin.' },
  upstream_unreachable: { status: 502, message: 'downspin could not reach the app under test.' },
  upstream_timeout: { status: 504, message: 'The app under test did not answer in time.' },
  // dependencies
  store_unavailable: { status: 503, message: 'The session store is unavailable; nothing was changed.' },
  bus_unavailable: { status: 503, message: 'The command bus is unavailable; nothing was changed.' },
  telemetry_unavailable: { status: 503, message: 'The telemetry store is unavailable.' },
  internal: { status: 500, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.output<typeof ErrorBodySchema>;

/** Turns a zod error into one readable line naming each bad field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
