export { test, expect, type DownspinFixtures, type DownspinTestOptions, type DownspinTestType } from './fixture.js';
export type { DownspinOptions } from './options.js';
export { ENV_API_KEY, ENV_CONTROL_URL, ENV_PROXY_URL } from './options.js';
export { trustDownspinCa } from './trust.js';
export type {
  Notification,
  SessionStats,
  Shaper,
  ShapingApplied,
  Shaping,
  StatsOptions,
  TimelineStep,
} from './shaper.js';
export { DownspinApiError, DownspinConnectionError, ShapingNotAcknowledgedError } from './errors.js';
export type { NotifyType, PresetName, ProfileInput } from '@downspin/protocol';
export { PRESET_NAMES, SESSION_HEADER } from '@downspin/protocol';
