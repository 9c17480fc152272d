import { Readable, pipeline } from 'node:stream';
import type { Logger } from 'pino';
import { DemoError } from './errors.js';
import { sendJson } from './respond.js';
import type { Route } from './router.js';

export const MAX_TRANSFER_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/**
 * Parses a download size: bytes (`1500`), or a number with `kb` / `mb`
 * (binary units, as file sizes are usually meant: `2mb` is 2 MiB).
 * Undefined when malformed or over 64 MiB.
 *
 * @example parseSize('2mb') // 2097152
 */
export function parseSize(text: string): number | undefined {
  const match = /^(\d{1,9}(?:\.\d{1,6})?)([a-z]*)$/i.exec(text);
  if (match === null) return undefined;
  const unit = UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return bytes <= MAX_TRANSFER_BYTES ? bytes : undefined;
}

/** A readable of `total` bytes, made from one reused chunk: memory stays at one chunk. */
export function byteStream(total: number): Readable {
  const chunk = Buffer.alloc(CHUNK_BYTES);
  for (let i = 0; i < chunk.length; i++) chunk[i] = 97 + (i % 26);
  let left = total;
  return new Readable({
    highWaterMark: CHUNK_BYTES,
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      this.push(piece);
    },
  });
}

/** `GET /download/:size` (streamed, with Content-Length) and `POST /api/upload` (counted, not kept). */
export function transferRoutes(logger: Logger): Route[] {
  return [
    {
      methods: ['GET', 'HEAD'],
      pattern: /^\/download\/([^/]+)$/,
      handler: ({ req, res, params }) => {
        const size = parseSize(params[0]!);
        if (size === undefined) throw new DemoError('invalid_size');
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': size,
          'content-disposition': `attachment; filename="demo-${size}.bin"`,
          'cache-control': 'no-store',
        });
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        pipeline(byteStream(size), res, (error) => {
          // The usual cause is a client that went away mid-download.
          if (error) logger.debug({ err: error }, 'download ended early');
        });
      },
    },
    {
      methods: ['POST', 'PUT'],
      pattern: /^\/api\/upload\/?$/,
      handler: async ({ req, res }) => {
        const started = performance.now();
        const tooLarge = new DemoError('payload_too_large', `Uploads are limited to ${MAX_TRANSFER_BYTES} bytes.`, ['connection', 'close']);
        if (Number(req.headers['content-length']) > MAX_TRANSFER_BYTES) throw tooLarge;
        let bytes = 0;
        for await (const chunk of req as AsyncIterable<Buffer>) {
          bytes += chunk.length;
          if (bytes > MAX_TRANSFER_BYTES) throw tooLarge;
        }
        sendJson(res, 200, { bytes, ms: Math.round((performance.now() - started) * 10) / 10 });
      },
    },
  ];
}
