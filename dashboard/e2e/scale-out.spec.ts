import { test as base } from '@playwright/test';
import {
  analyticsAndExport,
  disconnectedThenRecovers,
  filtersWork,
  liveGridThrottleAndPriority,
  profileAndNotify,
  terminateAsksThenBlocks,
  wrongKeyIsNamed,
} from './support/scenarios.js';
import { startScaleOut, type Stack } from './support/stacks.js';

/** The scale-out stack: `downspin migrate`, `downspin control` and two `downspin proxy` on Redis, a fresh PostgreSQL database and a private ClickHouse. */
const test = base.extend<object, { stack: Stack }>({
  stack: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
    async ({}, use) => {
      const stack = await startScaleOut();
      await use(stack);
      await stack.stop();
    },
    { scope: 'worker', timeout: 180_000 },
  ],
});

test.describe('dashboard on the scale-out stack', () => {
  test('a wrong key is refused in words; the right one is kept for the tab', async ({ page, stack }) => {
    await wrongKeyIsNamed(page, stack);
  });

  test('a new session shows up live; Throttle slows its next request by 2 s, Priority removes it', async ({ page, stack }) => {
    const appearedMs = await liveGridThrottleAndPriority(page, stack);
    test.info().annotations.push({ type: 'grid latency', description: `${appearedMs} ms from the request to the row` });
    console.log(`${test.info().project.name}: a new session was in the grid ${appearedMs} ms after its request`);
  });

  test('filters All / High risk / Throttled', async ({ page, stack }) => {
    await filtersWork(page, stack, 'dashboard-sessions');
  });

  test('Terminate asks first, then the session gets 403', async ({ page, stack }) => {
    await terminateAsksThenBlocks(page, stack);
  });

  test('profile picker: bad custom values named before sending, a preset applied; notify', async ({ page, stack }) => {
    await profileAndNotify(page, stack);
  });

  test('analytics charts show the traffic, and exports match the API', async ({ page, stack }) => {
    await analyticsAndExport(page, stack, 'dashboard-analytics');
  });

  test('a dead control API shows as disconnected and recovers by itself', async ({ page, stack }) => {
    await disconnectedThenRecovers(page, stack);
  });
});
