import { isEmptyProfile, type ShapingState } from '@downspin/protocol';

/**
 * Whether a state slows or breaks a session's traffic, for the `throttled`
 * filter: downspin, a profile with effects, or a timeline. Upspin,
 * no shaping, an empty profile and terminated sessions are not throttled.
 */
export function isThrottling(state: ShapingState): boolean {
  switch (state.mode) {
    case 'downspin':
    case 'timeline':
      return true;
    case 'profile':
      return !isEmptyProfile(state.profile);
    default:
      return false;
  }
}
