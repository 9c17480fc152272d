import type { Bus } from '@downspin/bus';
import type { Presence, TelemetryTally } from '@downspin/protocol';

export interface ProxyInfo {
  proxyId: string;
  startedAt: number;
  /** When this control instance last heard from it (its own clock, not the proxy's). */
  lastSeenAt: number;
  sessions: number;
  connections: number;
  requestsPerSecond: number;
  /** Requests handled since the proxy started (0 when it does not say). */
  requestsTotal: number;
  webSockets: number;
  url: string | undefined;
  /** Its telemetry pipeline's counters, when it reports them. */
  telemetry: TelemetryTally | undefined;
}

export interface ProxyRegistryOptions {
  /** A proxy is live while its last presence is younger than this. Default 3000 ms. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * The proxies that are alive, from their `presence` messages (sent every
 * second). A proxy saying `alive: false` (shutting down) is dropped at once;
 * one that stops reporting drops out after `ttlMs`.
 */
export class ProxyRegistry {
  private readonly proxies = new Map<string, ProxyInfo>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly leaveListeners = new Set<(proxyId: string) => void>();

  constructor(options: ProxyRegistryOptions = {}) {
    this.ttlMs = options.ttlMs ?? 3000;
    this.now = options.now ?? Date.now;
  }

  /** Starts listening; resolves to the unsubscribe function. */
  subscribe(bus: Bus): Promise<() => Promise<void>> {
    return bus.subscribe('presence', (presence) => this.observe(presence));
  }

  observe(presence: Presence): void {
    if (!presence.alive) {
      this.proxies.delete(presence.proxyId);
      for (const listener of this.leaveListeners) listener(presence.proxyId);
      return;
    }
    this.proxies.set(presence.proxyId, {
      proxyId: presence.proxyId,
      startedAt: presence.startedAt,
      lastSeenAt: this.now(),
      sessions: presence.sessions,
      connections: presence.connections,
      requestsPerSecond: presence.requestsPerSecond,
      requestsTotal: presence.requestsTotal ?? 0,
      webSockets: presence.webSockets ?? 0,
      url: presence.url,
      telemetry: presence.telemetry,
    });
  }

  /** Called when a proxy announces it is leaving (so nobody waits for its ack). */
  onLeave(listener: (proxyId: string) => void): () => void {
    this.leaveListeners.add(listener);
    return () => this.leaveListeners.delete(listener);
  }

  live(): ProxyInfo[] {
    const cutoff = this.now() - this.ttlMs;
    const out: ProxyInfo[] = [];
    for (const [id, info] of this.proxies) {
      if (info.lastSeenAt >= cutoff) out.push(info);
      // Long gone: forget it, so the map stays as small as the fleet.
      else if (info.lastSeenAt < cutoff - 10 * this.ttlMs) this.proxies.delete(id);
    }
    return out;
  }

  liveIds(): string[] {
    return this.live().map((p) => p.proxyId);
  }
}
