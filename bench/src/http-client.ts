import http from 'node:http';

export interface Timed {
  status: number;
  /** Body bytes received. */
  bytes: number;
  /** From sending the request to the last body byte. */
  ms: number;
  body: string;
}

/**
 * One request, timed from send to the last body byte. The body is only kept
 * (as text) when small: downloads are counted, not stored.
 */
export function timedRequest(
  url: string,
  options: { agent?: http.Agent | false; method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      let bytes = 0;
      const kept: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= 64 * 1024) kept.push(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started, body: Buffer.concat(kept).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A keep-alive agent with one socket: sequential requests reuse one connection, as a browser tab would. */
export const singleConnection = (): http.Agent => new http.Agent({ keepAlive: true, maxSockets: 1 });
