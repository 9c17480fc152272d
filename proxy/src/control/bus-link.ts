import { randomUUID } from 'node:crypto';
import { setImmediate as nextTask } from 'node:timers/promises';
import type { Bus } from '@downspin/bus';
import { WS_CLOSE_TERMINATED, type Presence, type SessionActivity, type SessionShaping, type ShapingCommand } from '@downspin/protocol';
import type { Logger } from 'pino';
import type { SessionTable } from '../session/table.js';

export interface BusLinkOptions {
  bus: Bus;
  proxyId: string;
  sessions: SessionTable;
  loadShaping: () => Promise<SessionShaping[]>;
  logger: Logger;
  reportIntervalMs: number;
  /** Current load figures for presence messages. */
  presence: () => Pick<Presence, 'connections' | 'requestsPerSecond' | 'requestsTotal' | 'webSockets' | 'telemetry' | 'url'>;
}

/**
 * Sessions per activity message. A report of thousands of active sessions
 * goes out as several messages, each validated and encoded in a task of its
 * own, with requests served between them: in one piece, 1,000–2,000 sessions
 * held the proxy's event loop for ~4 ms a report, and the embedded control
 * API's decode for ~2.6 ms more (#16).
 */
export const ACTIVITY_PER_MESSAGE = 250;

/** Most sessions one report carries; the rest report in the next. */
const ACTIVITY_PER_REPORT = 5000;

/**
 * Sessions one task of a report looks at (for activity, then for idleness).
 * The table holds up to 100,000; walked in one piece it held the event loop
 * for ~20 ms a report (#16). 2,000 is a fraction of a millisecond.
 */
export const SESSIONS_PER_TASK = 2000;

/**
 * The proxy's side of the control plane: applies shaping commands (newer
 * versions only, so repeats are harmless) and acknowledges each, reloads all
 * shaping from the store at start and whenever the bus reconnects (pub/sub
 * loses messages while down), and reports presence and session activity.
 */
export class BusLink {
  private readonly startedAt = Date.now();
  private reportTimer: NodeJS.Timeout | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private stopReconnect: (() => void) | undefined;
  private closed = false;
  private reporting = false;
  /** False until a snapshot of the stored shaping was applied. */
  loaded = false;
  /** Shaping versions applied, and ones ignored because the proxy already had them or newer. */
  readonly counts = { applied: 0, stale: 0, reloads: 0 };
  lastLoadError: string | undefined;

  constructor(private readonly options: BusLinkOptions) {}

  async start(): Promise<void> {
    const { bus } = this.options;
    // Subscribe before loading, so no command falls between snapshot and stream.
    this.unsubscribe = await bus.subscribe('commands', (command) => this.onCommand(command));
    this.stopReconnect = bus.onReconnect(() => void this.reload());
    await this.reload();
    this.reportTimer = setInterval(() => {
      // A report of a large table runs over many tasks: one at a time.
      if (this.reporting) return;
      this.reporting = true;
      void this.report(true).finally(() => (this.reporting = false));
    }, this.options.reportIntervalMs);
    this.reportTimer.unref();
    await this.report(true);
  }

  /** Applies a session's shaping (parked when the session is not running); terminate also closes its WebSockets. */
  apply(shaping: SessionShaping): boolean {
    const { applied, running } = this.options.sessions.apply(shaping);
    if (!applied) {
      this.counts.stale++;
      return false;
    }
    this.counts.applied++;
    if (shaping.state.mode === 'terminated' && running !== undefined) {
      for (const socket of [...running.webSockets]) socket.close(WS_CLOSE_TERMINATED, 'session terminated');
    }
    return true;
  }

  /** Loads every session's stored shaping; retries with backoff while the store is down. */
  async reload(attempt = 0): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.reloadTimer);
    try {
      const all = await this.options.loadShaping();
      this.counts.reloads++;
      let applied = 0;
      for (const shaping of all) if (this.apply(shaping)) applied++;
      this.loaded = true;
      this.lastLoadError = undefined;
      this.options.logger.info({ sessions: all.length, applied }, 'loaded stored shaping');
    } catch (error) {
      this.lastLoadError = error instanceof Error ? error.message : String(error);
      const delay = Math.min(30_000, 500 * 2 ** attempt);
      this.options.logger.warn({ err: error, retryInMs: delay }, 'could not load stored shaping; keeping the last known');
      this.reloadTimer = setTimeout(() => void this.reload(attempt + 1), delay);
      this.reloadTimer.unref();
    }
  }

  private onCommand(command: ShapingCommand): void {
    const { shaping } = command;
    this.apply(shaping);
    this.options.bus
      .publish('acks', {
        type: 'ack',
        commandId: command.commandId,
        proxyId: this.options.proxyId,
        sessionId: shaping.sessionId,
        version: this.options.sessions.versionOf(shaping.sessionId),
      })
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not acknowledge a command'));
  }

  private async report(alive: boolean): Promise<void> {
    const { bus, proxyId, sessions, logger } = this.options;
    const figures = this.options.presence();
    try {
      await bus.publish('presence', {
        type: 'presence',
        proxyId,
        startedAt: this.startedAt,
        at: Date.now(),
        sessions: sessions.size,
        ...figures,
        alive,
      });
      if (!alive) return;
      const activity: SessionActivity[] = [];
      const size = sessions.size;
      for (let walked = 0; walked < size && activity.length < ACTIVITY_PER_REPORT; walked += SESSIONS_PER_TASK) {
        if (walked > 0) await nextTask();
        sessions.takeActivity(ACTIVITY_PER_REPORT, SESSIONS_PER_TASK, activity);
      }
      for (let from = 0; from < activity.length; from += ACTIVITY_PER_MESSAGE) {
        await nextTask();
        await bus.publish('activity', { type: 'activity', proxyId, sessions: activity.slice(from, from + ACTIVITY_PER_MESSAGE) });
      }
      for (let walked = 0; walked < size; walked += SESSIONS_PER_TASK) {
        await nextTask();
        sessions.sweep(Date.now(), SESSIONS_PER_TASK);
      }
    } catch (error) {
      logger.debug({ err: error }, 'could not report presence or activity');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reportTimer);
    clearTimeout(this.reloadTimer);
    this.stopReconnect?.();
    await this.report(false);
    await this.unsubscribe?.();
  }
}

export const newProxyId = (): string => `proxy-${randomUUID().slice(0, 8)}`;
