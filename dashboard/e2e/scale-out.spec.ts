import { startScaleOut } from './support/stacks.js';
import { describeDashboardOn } from './support/suite.js';

/** The scale-out stack: `downspin migrate`, `downspin control` and two `downspin proxy` on Redis, a fresh PostgreSQL database and a private ClickHouse. */
describeDashboardOn({
  title: 'dashboard on the scale-out stack',
  start: startScaleOut,
  startTimeoutMs: 180_000,
  screenshots: { sessions: 'dashboard-sessions', analytics: 'dashboard-analytics' },
});
