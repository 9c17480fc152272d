import type { Mode } from '@downspin/protocol';

const WORDS: Record<Mode, string> = {
  none: 'no shaping',
  upspin: 'upspin (no added latency)',
  downspin: 'downspin (added latency)',
  profile: 'shaping profile',
  timeline: 'shaping timeline',
  terminated: 'session terminated',
};

/** Words for a mode, for the popup and the badge's tooltip. */
export function modeWords(mode: Mode | null): string {
  return mode === null ? 'not known yet' : WORDS[mode];
}
