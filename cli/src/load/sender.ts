import http from 'node:http';
import https from 'node:https';
import { SESSION_HEADER } from '@downspin/protocol';
import type { Outcome } from './stats.js';

/** Sends one request at a time on demand; never rejects. */
export interface Sender {
  send(): Promise<Outcome>;
  /** Ends every request in flight (each resolves as `aborted`). */
  abortAll(): void;
  /** Aborts what is in flight and frees the sockets. */
  close(): void;
}

export interface HttpSenderOptions {
  url: string;
  session: string;
  /** Sockets kept open at most (the generator never has more in flight). */
  concurrency: number;
  /** A request idle this long fails as ETIMEDOUT. */
  timeoutMs: number;
}

const USER_AGENT = 'downspin-load/0.1';

class AbortedError extends Error {
  readonly code = 'aborted';
}

/**
 * GET requests over a keep-alive agent, each carrying the session header,
 * timed from sending to the last body byte (the body is read and dropped).
 */
export function createHttpSender(options: HttpSenderOptions): Sender {
  const url = new URL(options.url);
  const client = url.protocol === 'https:' ? https : http;
  const agent = new client.Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const inFlight = new Set<http.ClientRequest>();
  const headers = { [SESSION_HEADER]: options.session, 'user-agent': USER_AGENT };

  function send(): Promise<Outcome> {
    return new Promise((resolve) => {
      const started = performance.now();
      let settled = false;
      const settle = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        inFlight.delete(req);
        resolve(outcome);
      };
      const fail = (error: unknown): void => settle({ error: errorKind(error), ms: performance.now() - started });

      const req = client.request(url, { agent, method: 'GET', headers, timeout: options.timeoutMs }, (res) => {
        res.on('error', fail);
        res.on('end', () => settle({ status: res.statusCode ?? 0, ms: performance.now() - started }));
        // 'close' without 'end': the connection dropped mid-body.
        res.on('close', () => fail(Object.assign(new Error('response closed early'), { code: 'ECONNRESET' })));
        res.resume();
      });
      inFlight.add(req);
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', fail);
      req.end();
    });
  }

  function abortAll(): void {
    for (const req of inFlight) req.destroy(new AbortedError('aborted by downspin load'));
  }

  return {
    send,
    abortAll,
    close() {
      abortAll();
      agent.destroy();
    },
  };
}

function errorKind(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return typeof code === 'string' && code !== '' ? code : error.name;
  }
  return 'error';
}
