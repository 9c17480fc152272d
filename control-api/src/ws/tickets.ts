import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface TicketBookOptions {
  /** The admin key: tickets are signed with a key derived from it. */
  adminKey: string;
  /** How long a ticket may be used. Default 30 000 ms. */
  ttlMs?: number;
  now?: () => number;
}

export interface Ticket {
  ticket: string;
  expiresAt: number;
}

const VERSION = 'v1';

/**
 * Short-lived, single-use tickets for opening `/ws/dashboard` from a
 * browser (which cannot set headers on a WebSocket).
 *
 * A ticket is signed (HMAC-SHA256 with a key derived from the admin key), so
 * any control instance sharing that key accepts it: behind a load balancer
 * the WebSocket may land on another instance than the one that issued it.
 * Each instance remembers the tickets it has seen until they expire, so a
 * ticket opens at most one connection per instance.
 */
export class TicketBook {
  private readonly key: Buffer;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Nonce of each ticket used here, with its expiry. */
  private readonly used = new Map<string, number>();

  constructor(options: TicketBookOptions) {
    // Derived, so a ticket tells nothing about the admin key itself.
    this.key = createHash('sha256').update(`downspin ws ticket\0${options.adminKey}`).digest();
    this.ttlMs = options.ttlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  issue(): Ticket {
    const expiresAt = this.now() + this.ttlMs;
    const body = `${VERSION}.${expiresAt.toString(36)}.${randomBytes(16).toString('base64url')}`;
    return { ticket: `${body}.${this.sign(body)}`, expiresAt };
  }

  /** True once for a well-signed, unexpired ticket; false for anything else, and for a ticket used before. */
  redeem(ticket: string): boolean {
    if (ticket.length > 200) return false;
    const parts = ticket.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return false;
    const [, expiry, nonce, mac] = parts as [string, string, string, string];
    const expected = Buffer.from(this.sign(`${VERSION}.${expiry}.${nonce}`));
    const sent = Buffer.from(mac);
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) return false;
    const expiresAt = Number.parseInt(expiry, 36);
    const now = this.now();
    if (!Number.isFinite(expiresAt) || expiresAt < now) return false;
    this.sweep(now);
    if (this.used.has(nonce)) return false;
    this.used.set(nonce, expiresAt);
    return true;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }

  /** Forgets used tickets that have expired anyway (they fail the expiry check). */
  private sweep(now: number): void {
    for (const [nonce, expiresAt] of this.used) if (expiresAt < now) this.used.delete(nonce);
  }
}
