import type { Mode } from '@downspin/protocol';
import { modeWords } from '../shared/modes.js';
import type { ConnectionState } from '../shared/state.js';

export interface Badge {
  text: string;
  color: string;
  title: string;
}

const TEXT: Record<Mode, string> = {
  none: 'ON',
  upspin: 'UP',
  downspin: 'SLOW',
  profile: 'FX',
  timeline: 'FX',
  terminated: 'END',
};

const BLUE = '#1d4ed8';
const GREY = '#6b7280';
const RED = '#b91c1c';

/**
 * The toolbar badge: the session's mode ("UP", "SLOW", "FX", "END"), blue
 * while the channel is open, grey while it is not (the mode may be stale).
 * Empty without consent.
 */
export function badgeFor(state: { consent: boolean; mode: Mode | null; connection: ConnectionState }): Badge {
  if (!state.consent) return { text: '', color: GREY, title: 'downspin: no consent given' };
  if (state.connection === 'terminated' || state.mode === 'terminated') {
    return { text: TEXT.terminated, color: RED, title: 'downspin: your session was ended' };
  }
  const connected = state.connection === 'open';
  const text = state.mode === null ? '…' : TEXT[state.mode];
  const title = `downspin: ${modeWords(state.mode)}${connected ? '' : ' (not connected to the control API)'}`;
  return { text, color: connected ? BLUE : GREY, title };
}
