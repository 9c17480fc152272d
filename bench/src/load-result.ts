/** One load-generator run against one target. */
export interface LoadResult {
  requestsPerSec: number;
  /** Latency percentiles, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Responses that were not 2xx/3xx. */
  non2xx: number;
  /** Connect, read, write errors and timeouts. */
  socketErrors: number;
}
