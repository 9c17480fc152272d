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

/**
 * Starts recording every text the element with this test id shows, in order;
 * the returned function reads them. A notice that lasts a few hundred ms
 * (a retry) can fall between two polls of `toHaveText` on a busy machine.
 */
export async function recordTexts(page: Page, testId: string): Promise<() => Promise<string[]>> {
  await page.evaluate((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    if (el === null) throw new Error(`no element with data-testid="${id}"`);
    const shown: string[] = [];
    (window as unknown as { shownTexts: Record<string, string[]> }).shownTexts = {
      ...(window as unknown as { shownTexts?: Record<string, string[]> }).shownTexts,
      [id]: shown,
    };
    new MutationObserver(() => {
      const text = el.textContent ?? '';
      if (shown.at(-1) !== text) shown.push(text);
    }).observe(el, { childList: true, characterData: true, subtree: true });
  }, testId);
  return () => page.evaluate((id) => (window as unknown as { shownTexts: Record<string, string[]> }).shownTexts[id] ?? [], testId);
}
