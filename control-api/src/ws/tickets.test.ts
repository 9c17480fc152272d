import { describe, expect, it } from 'vitest';
import { TicketBook } from './tickets.js';

describe('TicketBook', () => {
  it('lets a ticket open one connection, once', () => {
    const book = new TicketBook({ adminKey: 'key-0123456789abcdef' });
    const { ticket, expiresAt } = book.issue();
    expect(expiresAt).toBeGreaterThan(Date.now() + 29_000);
    expect(ticket).not.toContain('key-0123456789abcdef');
    expect(book.redeem(ticket)).toBe(true);
    expect(book.redeem(ticket)).toBe(false);
  });

  it('refuses a ticket past its time', () => {
    let now = 1_000_000;
    const book = new TicketBook({ adminKey: 'key-0123456789abcdef', ttlMs: 30_000, now: () => now });
    const { ticket } = book.issue();
    now += 30_001;
    expect(book.redeem(ticket)).toBe(false);
  });

  it('is accepted by another instance with the same key, and by none with another key', () => {
    const a = new TicketBook({ adminKey: 'key-0123456789abcdef' });
    const b = new TicketBook({ adminKey: 'key-0123456789abcdef' });
    const other = new TicketBook({ adminKey: 'another-key-0123456789' });
    const { ticket } = a.issue();
    expect(other.redeem(ticket)).toBe(false);
    expect(b.redeem(ticket)).toBe(true);
  });

  it('refuses tampered, truncated and made-up tickets', () => {
    const book = new TicketBook({ adminKey: 'key-0123456789abcdef' });
    const { ticket } = book.issue();
    const [version, expiry, nonce, mac] = ticket.split('.') as [string, string, string, string];
    const later = (Number.parseInt(expiry, 36) + 3_600_000).toString(36);
    for (const bad of [`${version}.${later}.${nonce}.${mac}`, `${version}.${expiry}.${nonce}`, 'v1.x.y.z', '', 'a'.repeat(500), `${ticket}x`]) {
      expect(book.redeem(bad), bad).toBe(false);
    }
    expect(book.redeem(ticket)).toBe(true);
  });
});
