import { test as base } from '@playwright/test';
import {
  analyticsAndExport,
  disconnectedThenRecovers,
  filtersWork,
  liveGridDownspinAndUpspin,
  profileAndNotify,
  terminateAsksThenBlocks,
  wrongKeyIsNamed,
} from './scenarios.js';
import type { Stack } from './stacks.js';

export interface StackUnderTest {
  /** The describe title, e.g. "dashboard on the embedded default". */
  title: string;
  start(): Promise<Stack>;
  /** How long starting (and stopping) the stack may take. */
  startTimeoutMs: number;
  /** Names of the screenshots left in artifacts/. */
  screenshots: { sessions: string; analytics: string };
}

/** Every dashboard scenario against one stack, started once for the file's worker. */
export function describeDashboardOn({ title, start, startTimeoutMs, screenshots }: StackUnderTest): void {
  const test = base.extend<object, { stack: Stack }>({
    stack: [
      // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
      async ({}, use) => {
        const stack = await start();
        await use(stack);
        await stack.stop();
      },
      { scope: 'worker', timeout: startTimeoutMs },
    ],
  });

  test.describe(title, () => {
    test('a wrong key is refused in words; the right one is kept for the tab', async ({ page, stack }) => {
      await wrongKeyIsNamed(page, stack);
    });

    test('a new session shows up live; Downspin slows its next request by 2 s, Upspin removes it', async ({ page, stack }) => {
      const appearedMs = await liveGridDownspinAndUpspin(page, stack);
      test.info().annotations.push({ type: 'grid latency', description: `${appearedMs} ms from the request to the row` });
      console.log(`${test.info().project.name}: a new session was in the grid ${appearedMs} ms after its request`);
    });

    test('filters All / High risk / Throttled', async ({ page, stack }) => {
      await filtersWork(page, stack, screenshots.sessions);
    });

    test('Terminate asks first, then the session gets 403', async ({ page, stack }) => {
      await terminateAsksThenBlocks(page, stack);
    });

    test('profile picker: bad custom values named before sending, a preset applied; notify', async ({ page, stack }) => {
      await profileAndNotify(page, stack);
    });

    test('analytics charts show the traffic, and exports match the API', async ({ page, stack }) => {
      await analyticsAndExport(page, stack, screenshots.analytics);
    });

    test('a dead control API shows as disconnected and recovers by itself', async ({ page, stack }) => {
      await disconnectedThenRecovers(page, stack);
    });
  });
}
