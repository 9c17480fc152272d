export { parseWrkOutput } from './wrk-parse.js';
export type { LoadResult } from './load-result.js';
export { nginxConfig } from './nginx.js';
export { parseOptions } from './options.js';
