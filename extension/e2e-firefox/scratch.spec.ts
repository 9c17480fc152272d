import { test } from '@playwright/test';
import { launchFirefoxWithExtension } from './support/firefox.js';
import { FIREFOX_BUILD } from '../../browser-support/built-extension.js';
test('scratch', async () => {
  const ff = await launchFirefoxWithExtension(FIREFOX_BUILD);
  const conn = ff.browser.connection;
  const tree = (await conn.send('browsingContext.getTree', { 'moz:scope': 'chrome' } as never)) as any;
  const ctx = tree.result.contexts[0].context;
  const ev = async (expression: string) => JSON.stringify(((await conn.send('script.evaluate', { expression, target: { context: ctx }, awaitPromise: true } as never)) as any).result);
  console.log(await ev(`typeof openTrustedLinkIn + ' ' + gBrowser.tabs.length`));
  console.log(await ev(`(() => { openTrustedLinkIn('moz-extension://5a1d7e0c-3f2b-4c8e-9d61-0b7f5e2a4c93/popup.html', 'tab'); return gBrowser.tabs.length + ' ' + gBrowser.selectedBrowser.currentURI.spec; })()`));
  await new Promise((r) => setTimeout(r, 2000));
  console.log(await ev(`gBrowser.tabs.length + ' ' + gBrowser.tabs.map(t => t.linkedBrowser.currentURI.spec).join(',')`));
  console.log((await ff.browser.pages()).length);
  console.log(JSON.stringify(((await conn.send('browsingContext.getTree', {} as never)) as any).result));
  await ff.close();
});
