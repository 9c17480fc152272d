import { describe, expect, it } from 'vitest';
import { badgeFor } from './badge.js';

describe('badge', () => {
  it('is empty without consent', () => {
    expect(badgeFor({ consent: false, mode: 'downspin', connection: 'off' }).text).toBe('');
  });

  it.each([
    ['upspin', 'UP'],
    ['downspin', 'SLOW'],
    ['profile', 'FX'],
    ['timeline', 'FX'],
    ['none', 'ON'],
    ['terminated', 'END'],
  ] as const)('shows %s as %s', (mode, text) => {
    expect(badgeFor({ consent: true, mode, connection: 'open' }).text).toBe(text);
  });

  it('shows END once the channel is terminated, whatever the last mode', () => {
    expect(badgeFor({ consent: true, mode: 'upspin', connection: 'terminated' })).toMatchObject({ text: 'END', color: '#b91c1c' });
  });

  it('greys the mode out while not connected, and says so in the tooltip', () => {
    const open = badgeFor({ consent: true, mode: 'downspin', connection: 'open' });
    const lost = badgeFor({ consent: true, mode: 'downspin', connection: 'waiting' });
    expect(lost.text).toBe('SLOW');
    expect(lost.color).not.toBe(open.color);
    expect(lost.title).toContain('not connected');
  });

  it('shows an ellipsis before the first welcome', () => {
    expect(badgeFor({ consent: true, mode: null, connection: 'connecting' }).text).toBe('…');
  });
});
