import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SessionRecord, SessionStore } from '@downspin/db';
import {
  DASHBOARD_CHANNEL_MAX_PAYLOAD,
  DashboardToServerSchema,
  type AdminStats,
  type ServerToDashboard,
  type SessionView,
} from '@downspin/protocol';
import type { Logger } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { toSessionView } from '../sessions/view.js';
import { SessionChanges } from './session-changes.js';
import { SocketSet } from './sockets.js';

export interface DashboardHubOptions {
  store: SessionStore;
  logger: Logger;
  /** The figures of `GET /admin/stats`. */
  stats: () => AdminStats;
  /** Changed sessions are pushed at most this often. Default 500 ms. */
  pushIntervalMs?: number;
  /** Stats ticks. Default 1000 ms. */
  statsIntervalMs?: number;
  /** Default 30 000 ms. */
  pingIntervalMs?: number;
  /** Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Sessions in a snapshot (most recently seen first). Default 500. */
  snapshotLimit?: number;
  /** Sessions read and pushed per tick; the rest wait for the next one. Default 200. */
  maxSessionsPerPush?: number;
}

export interface DashboardHubStats {
  connected: number;
  slowConsumers: number;
  /** Dashboard messages that were not a valid `DashboardToServer`. */
  dropped: number;
  pushes: number;
  alerts: number;
}

/**
 * `WS /ws/dashboard`: every connected dashboard gets a snapshot, then
 * changed sessions (batched every `pushIntervalMs`), stats ticks, and
 * alerts when a session crosses the high-risk threshold or gets banned.
 *
 * Store reads (snapshots and change pushes) run one at a time in one loop,
 * so a dashboard never gets a snapshot older than a push it missed while
 * connecting: changes after its snapshot was read are pushed next tick.
 */
export class DashboardHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: DASHBOARD_CHANNEL_MAX_PAYLOAD, perMessageDeflate: false, clientTracking: false });
  private readonly sockets: SocketSet;
  /** Connected, waiting for their snapshot: they get no pushes until then. */
  private readonly waiting = new Set<WebSocket>();
  private readonly changes = new SessionChanges();
  private readonly timers: NodeJS.Timeout[] = [];
  private pumping: Promise<void> | undefined;
  private again = false;
  private lastPush = 0;
  private readonly pushMs: number;
  private readonly counts = { dropped: 0, pushes: 0, alerts: 0 };
  private closed = false;

  constructor(private readonly options: DashboardHubOptions) {
    this.sockets = new SocketSet({ pingIntervalMs: options.pingIntervalMs ?? 30_000, maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024 });
    this.pushMs = options.pushIntervalMs ?? 500;
    this.timers.push(
      setInterval(() => this.pump(), this.pushMs),
      setInterval(() => this.tickStats(), options.statsIntervalMs ?? 1000),
    );
    for (const timer of this.timers) timer.unref();
  }

  /** Sessions whose row changed (shaping, activity, consent): pushed now after a quiet spell, else on the next tick. */
  markChanged(sessionIds: Iterable<string>): void {
    // Nobody watching: nothing to read or push.
    if (this.sockets.size === 0) return;
    this.changes.mark(sessionIds);
    // A new session should not wait up to a tick to show; a burst of changes still goes out once per interval.
    if (Date.now() - this.lastPush >= this.pushMs) this.pump();
  }

  /** Takes an upgrade request already routed, origin-checked and authenticated. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  stats(): DashboardHubStats {
    const sockets = this.sockets.stats();
    return { connected: sockets.connected, slowConsumers: sockets.slowConsumers, ...this.counts };
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.sockets.close();
    this.wss.close();
  }

  private connected(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('error', (error) => this.options.logger.debug({ err: error }, 'dashboard socket error'));
    ws.once('close', () => this.waiting.delete(ws));
    ws.on('message', (data, isBinary) => {
      let parsed;
      try {
        parsed = isBinary ? undefined : DashboardToServerSchema.safeParse(JSON.parse(String(data)));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        this.counts.dropped++;
        return;
      }
      // The only message: resync.
      this.waiting.add(ws);
      this.pump();
    });
    this.waiting.add(ws);
    this.pump();
  }

  /** Runs the read-and-send loop now, or once more when it is running. */
  private pump(): void {
    if (this.closed) return;
    if (this.pumping !== undefined) {
      this.again = true;
      return;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        await this.pushChanges();
        await this.sendSnapshots();
      } while (this.again && !this.closed);
    })()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'dashboard push failed'))
      .finally(() => {
        this.pumping = undefined;
      });
  }

  private async pushChanges(): Promise<void> {
    if (this.changes.size === 0 || Date.now() - this.lastPush < this.pushMs * 0.9) return;
    this.lastPush = Date.now();
    const ids = this.changes.take(this.options.maxSessionsPerPush ?? 200);
    const records: SessionRecord[] = [];
    try {
      for (const id of ids) {
        const record = await this.options.store.getSession(id);
        if (record !== undefined) records.push(record);
      }
    } catch (error) {
      // Read again next tick.
      this.changes.mark(ids);
      this.options.logger.warn({ err: error }, 'dashboard: could not read changed sessions');
      return;
    }
    if (records.length === 0) return;
    const ready = (ws: WebSocket): boolean => !this.waiting.has(ws);
    this.broadcast({ type: 'sessions', at: new Date().toISOString(), sessions: records.map(toSessionView) }, ready);
    this.counts.pushes++;
    for (const record of records) {
      for (const alert of this.changes.alertsFor(record)) {
        this.counts.alerts++;
        this.broadcast({ type: 'alert', alert }, ready);
      }
    }
  }

  private async sendSnapshots(): Promise<void> {
    if (this.waiting.size === 0) return;
    const targets = [...this.waiting];
    this.waiting.clear();
    let sessions: SessionView[] = [];
    let error: string | undefined;
    try {
      const records = await this.options.store.listSessions('all', this.options.snapshotLimit ?? 500);
      this.changes.remember(records);
      sessions = records.map(toSessionView);
    } catch (cause) {
      error = 'store_unavailable: the session store could not be read; send {"type":"resync"} to retry';
      this.options.logger.warn({ err: cause }, 'dashboard: could not read the session snapshot');
    }
    const snapshot: ServerToDashboard = { type: 'snapshot', at: new Date().toISOString(), sessions, stats: this.options.stats() };
    if (error !== undefined) snapshot.error = error;
    const data = JSON.stringify(snapshot);
    for (const ws of targets) this.sockets.send(ws, data);
  }

  private tickStats(): void {
    if (this.sockets.size === 0) return;
    this.broadcast({ type: 'stats', stats: this.options.stats() }, (ws) => !this.waiting.has(ws));
  }

  private broadcast(message: ServerToDashboard, filter: (ws: WebSocket) => boolean): void {
    this.sockets.broadcast(JSON.stringify(message), filter);
  }
}
