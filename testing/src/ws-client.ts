import WebSocket from 'ws';

/** A WebSocket upgrade the server answered with an HTTP status instead. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${body}`);
  }
}

export interface TestSocket {
  ws: WebSocket;
  /** Every message received, parsed. */
  messages: unknown[];
  /** Resolves with the close code and reason once closed. */
  closed: Promise<{ code: number; reason: string }>;
  /** The first message (already received or still to come) that `match` accepts. */
  next<T = Record<string, unknown>>(match: (message: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<T>;
  send(message: unknown): void;
  close(): void;
}

/** Opens a WebSocket; rejects with `UpgradeRefused` when the server answers with a status. */
export function connect(
  url: string,
  options: { headers?: Record<string, string>; origin?: string; /** false: play a peer that never answers pings. */ autoPong?: boolean } = {},
): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: options.headers, origin: options.origin, autoPong: options.autoPong ?? true });
    const messages: unknown[] = [];
    const waiters = new Set<() => void>();
    const closed = new Promise<{ code: number; reason: string }>((done) => {
      ws.on('close', (code, reason) => done({ code, reason: reason.toString('utf8') }));
    });
    ws.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      for (const wake of [...waiters]) wake();
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
    });
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        closed,
        send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
        close: () => ws.close(),
        next<T>(match: (message: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<T> {
          return new Promise<T>((found, fail) => {
            const look = (): boolean => {
              const hit = messages.find((m) => match(m as Record<string, unknown>));
              if (hit === undefined) return false;
              clearTimeout(timer);
              waiters.delete(check);
              found(hit as T);
              return true;
            };
            const check = (): void => void look();
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 500)}`));
            }, timeoutMs);
            if (!look()) waiters.add(check);
          });
        },
      }),
    );
  });
}

/** The status a refused upgrade got (fails if it was accepted). */
export async function refusal(url: string, options: { headers?: Record<string, string>; origin?: string } = {}): Promise<UpgradeRefused> {
  try {
    const socket = await connect(url, options);
    socket.close();
  } catch (error) {
    if (error instanceof UpgradeRefused) return error;
    throw error;
  }
  throw new Error(`expected ${url} to be refused, but it opened`);
}
