import type { Page } from '@playwright/test';

/** The load time the demo page shows in its status line ("Page loaded in N ms"). */
export async function shownLoadMs(page: Page): Promise<number> {
  const status = page.getByTestId('page-load-status');
  await status.filter({ hasText: /^Page loaded in \d+ ms$/ }).waitFor();
  return Number(await status.getAttribute('data-load-ms'));
}

/** Numbers in the feed log lines that match, e.g. the round trips of "echo #3 · round trip 812 ms". */
export async function feedNumbers(page: Page, pattern: RegExp): Promise<number[]> {
  const lines = await page.getByTestId('feed-message').allTextContents();
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [Number(match[1])] : [];
  });
}
