import { startEmbedded } from './support/stacks.js';
import { describeDashboardOn } from './support/suite.js';

/** The embedded default: `downspin start` (bundled demo app, PGlite, memory telemetry), one child process for this file. */
describeDashboardOn({
  title: 'dashboard on the embedded default',
  start: startEmbedded,
  startTimeoutMs: 60_000,
  screenshots: { sessions: 'dashboard-sessions-embedded', analytics: 'dashboard-analytics-embedded' },
});
