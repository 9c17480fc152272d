import { describe, expect, it } from 'vitest';
import { parseWrkOutput } from './wrk-parse.js';

// Outputs of wrk 4.1.0 (Debian) captured on this machine; TIMEOUTS' read/write counts and
// SLOW's 99% line were edited so that every field and unit is exercised.
const HEALTHY = `Running 3s test @ http://127.0.0.1:41651/health
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20ms    3.83ms  51.82ms   95.86%
    Req/Sec    44.17k    27.06k   67.50k    63.33%
  Latency Distribution
     50%  233.00us
     75%  516.00us
     90%    2.54ms
     99%   19.50ms
  131739 requests in 3.01s, 28.00MB read
Requests/sec:  43804.98
Transfer/sec:      9.31MB
`;

const ERRORS = `Running 1s test @ http://127.0.0.1:39123/api/status/503
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   316.36us    0.92ms  12.28ms   92.94%
    Req/Sec    51.09k    23.14k   67.58k    80.00%
  Latency Distribution
     50%   57.00us
     75%   71.00us
     90%  800.00us
     99%    4.43ms
  50586 requests in 1.00s, 12.49MB read
  Non-2xx or 3xx responses: 50586
Requests/sec:  50453.31
Transfer/sec:     12.46MB
`;

const TIMEOUTS = `Running 3s test @ http://127.0.0.1:39123/api/slow?ms=2000
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     1.00      0.00     1.00    100.00%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  4 requests in 3.01s, 0.87KB read
  Socket errors: connect 0, read 2, write 1, timeout 4
Requests/sec:      1.33
Transfer/sec:     296.71B
`;

const SLOW = `Running 2s test @ http://127.0.0.1:39123/api/slow?ms=700
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   701.49ms  734.00us 702.72ms   75.00%
    Req/Sec    12.00     15.72    30.00     66.67%
  Latency Distribution
     50%  701.23ms
     75%  702.61ms
     90%  702.72ms
     99%    1.20s
  8 requests in 2.01s, 1.73KB read
Requests/sec:      3.99
Transfer/sec:      0.86KB
`;

describe('parseWrkOutput', () => {
  it('reads requests/s, the request count and the latency percentiles in ms', () => {
    const result = parseWrkOutput(HEALTHY);
    expect(result.requestsPerSec).toBe(43804.98);
    expect(result.requests).toBe(131739);
    expect(result.p50Ms).toBeCloseTo(0.233, 6);
    expect(result.p99Ms).toBeCloseTo(19.5, 6);
    expect(result.non2xx).toBe(0);
    expect(result.socketErrors).toBe(0);
  });

  it('converts every time unit wrk prints', () => {
    const result = parseWrkOutput(SLOW);
    expect(result.p50Ms).toBeCloseTo(701.23, 6);
    expect(result.p99Ms).toBeCloseTo(1200, 6);
  });

  it('counts non-2xx responses', () => {
    const result = parseWrkOutput(ERRORS);
    expect(result.non2xx).toBe(50586);
    expect(result.requests).toBe(50586);
  });

  it('adds up every kind of socket error', () => {
    expect(parseWrkOutput(TIMEOUTS).socketErrors).toBe(7);
  });

  it('refuses output of a run that never started, quoting it', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(/Connection refused/);
    expect(() => parseWrkOutput('')).toThrow(/\(empty\)/);
  });

  it('asks for --latency when the distribution is missing', () => {
    const withoutDistribution = HEALTHY.replace(/ {2}Latency Distribution[\s\S]*?(?= {2}131739)/, '');
    expect(() => parseWrkOutput(withoutDistribution)).toThrow(/--latency/);
  });
});
