import type { BandwidthSettings } from '@downspin/protocol';
import type { BodyPacer } from './effect.js';
import { registerEffect } from './registry.js';

/** kbit/s (1000 bits) to bytes per second. */
const kbpsToBytes = (kbps: number | undefined): number | undefined => (kbps === undefined ? undefined : (kbps * 1000) / 8);

/**
 * Bandwidth: request and response bodies are paced through the session's
 * shared link (pacing/shared-link.ts), so all connections of a session split
 * one budget, as on a real link. Bodies stay streams.
 */
export class BandwidthEffect implements BodyPacer {
  readonly type = 'bandwidth';
  readonly downBytesPerSecond: number | undefined;
  readonly upBytesPerSecond: number | undefined;

  constructor(readonly settings: BandwidthSettings) {
    this.downBytesPerSecond = kbpsToBytes(settings.downKbps);
    this.upBytesPerSecond = kbpsToBytes(settings.upKbps);
  }
}

registerEffect('bandwidth', (settings) => new BandwidthEffect(settings));
