import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { DASHBOARD_TICKET_PARAM } from '@downspin/protocol';
import type { Logger } from 'pino';
import { presentedKey } from '../middleware/api-key/index.js';
import type { ClientChannel } from './client-channel.js';
import type { DashboardHub } from './dashboard-hub.js';
import { clientOriginAllowed, dashboardOriginAllowed } from './origin.js';
import { refuseUpgrade } from './refuse.js';
import type { TicketBook } from './tickets.js';

export const CLIENT_CHANNEL_PATH = '/ws/client';
export const DASHBOARD_CHANNEL_PATH = '/ws/dashboard';

export interface UpgradeRouterOptions {
  client: ClientChannel;
  dashboard: DashboardHub;
  tickets: TicketBook;
  /** Constant-time check of an API key. */
  keyMatches: (sent: string | undefined) => boolean;
  /** See `clientOriginAllowed`. */
  clientOrigins?: readonly string[];
  /** Origins besides the API's own that may open the dashboard channel. */
  dashboardOrigins?: readonly string[];
  logger: Logger;
}

/** What a node `http.Server`'s `upgrade` event calls. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Routes WebSocket upgrades: `/ws/client` (origin: extensions or none) and
 * `/ws/dashboard` (origin: the API's own or none; then a ticket or the API
 * key). Refusals are plain HTTP answers before any WebSocket exists: 403
 * `forbidden_origin`, 401 `unauthorized`, 404 `not_found` for other paths.
 */
export function createUpgradeRouter(options: UpgradeRouterOptions): UpgradeHandler {
  const { client, dashboard, tickets, keyMatches, logger } = options;
  return function routeUpgrade(req, socket, head) {
    // A reset during the handshake ends this socket only.
    socket.on('error', (error) => {
      logger.debug({ err: error }, 'upgrade socket error');
      socket.destroy();
    });
    const base = 'http://control.invalid';
    if (!URL.canParse(req.url ?? '/', base)) return refuseUpgrade(socket, 'not_found');
    const url = new URL(req.url ?? '/', base);
    switch (url.pathname) {
      case CLIENT_CHANNEL_PATH:
        if (!clientOriginAllowed(req.headers.origin, options.clientOrigins)) return refuseUpgrade(socket, 'forbidden_origin');
        return client.accept(req, socket, head);
      case DASHBOARD_CHANNEL_PATH: {
        if (!dashboardOriginAllowed(req.headers, options.dashboardOrigins)) return refuseUpgrade(socket, 'forbidden_origin');
        const ticket = url.searchParams.get(DASHBOARD_TICKET_PARAM);
        const header = (name: string): string | undefined => {
          const value = req.headers[name.toLowerCase()];
          return Array.isArray(value) ? value[0] : value;
        };
        const authorized = ticket !== null ? tickets.redeem(ticket) : keyMatches(presentedKey(header));
        if (!authorized) {
          return refuseUpgrade(
            socket,
            'unauthorized',
            'Open /ws/dashboard with ?ticket= from POST /admin/ws-ticket (single use, 30 s), or send X-API-Key.',
          );
        }
        return dashboard.accept(req, socket, head);
      }
      default:
        return refuseUpgrade(socket, 'not_found', `No WebSocket endpoint at ${url.pathname}; use ${CLIENT_CHANNEL_PATH} or ${DASHBOARD_CHANNEL_PATH}.`);
    }
  };
}
