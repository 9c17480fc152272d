import http from 'node:http';

export interface TimedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** ms from sending to the last body byte. */
  ms: number;
  /** ms from the first to the last body byte. */
  bodyMs: number;
}

/**
 * One HTTP request on a fresh connection (no keep-alive pooling between
 * requests, so timings are per request), with body and timings.
 */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let firstAt: number | undefined;
      res.on('data', (chunk: Buffer) => {
        firstAt ??= performance.now();
        chunks.push(chunk);
      });
      res.on('end', () => {
        const end = performance.now();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          ms: end - started,
          bodyMs: firstAt === undefined ? 0 : end - firstAt,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export function json<T = unknown>(res: TimedResponse): T {
  return JSON.parse(res.body.toString('utf8')) as T;
}
