export { startDemoApp, type DemoApp, type DemoAppOptions } from './server.js';
export { FEED_PATH, FEED_INTERVAL_MS } from './feed.js';
export { MAX_TRANSFER_BYTES, parseSize } from './transfer.js';
