import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../../errors.js';

export interface JsonBodyOptions {
  /** Largest body accepted, in bytes. Default 64 KiB. */
  maxBytes?: number;
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json$/i;

/**
 * Checks a request body before schema validation: JSON only (415
 * `unsupported_media_type`), at most `maxBytes` (413 `payload_too_large`,
 * counted while reading, so a chunked body cannot slip past), parseable
 * (400 `invalid_json`). An empty body reads as `{}`, so commands whose
 * fields all have defaults can be sent without one.
 *
 * @example createRoute({ …, middleware: [jsonBody({ maxBytes: 16 * 1024 })] })
 */
export function jsonBody({ maxBytes = 64 * 1024 }: JsonBodyOptions = {}): MiddlewareHandler {
  return async function jsonBodyMiddleware(c, next) {
    const contentType = c.req.header('content-type');
    const mediaType = contentType?.split(';')[0]?.trim() ?? '';
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (declared > maxBytes) throw new ApiError('payload_too_large', { details: { maxBytes } });
    // Under @hono/node-server the body is read from the node request itself. Through `c.req.raw` it would
    // cost a fetch Request whose abort listener is removed by a finalizer after GC: 10,000 shaping calls
    // left a 60 ms run of those finalizers on the proxy's event loop in the embedded default (#16).
    const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
    const source: AsyncIterable<Uint8Array> | null = incoming ?? (c.req.raw.body as AsyncIterable<Uint8Array> | null);
    const text = source === null ? '' : await readText(source, maxBytes);
    let body = text;
    if (text.trim() === '') {
      // Read as {} by the validator: with a JSON type it parses this, without one it skips the body.
      body = JSON_TYPE.test(mediaType) ? '{}' : '';
    } else {
      if (!JSON_TYPE.test(mediaType)) throw new ApiError('unsupported_media_type');
      try {
        JSON.parse(text);
      } catch (error) {
        throw new ApiError('invalid_json', { message: `The request body is not valid JSON: ${(error as Error).message}` });
      }
    }
    // The stream is consumed: later readers (the schema validator's `c.req.json()`) get the checked
    // text from Hono's body cache, which holds promises (its type says values).
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(body);
    await next();
  };
}

/**
 * The body as text, at most `maxBytes`. Leaving the loop early (too large)
 * ends the source: it destroys the node request, or cancels the fetch body.
 */
async function readText(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new ApiError('payload_too_large', { details: { maxBytes } });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
