import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, RawConnection, statusLines } from '@downspin/testing';
import type { RunningProxy } from '../server.js';
import { startProxiedLoggingUpstream, type LoggingUpstream, type ProxiedLoggingUpstream } from './logging-upstream.js';

/**
 * The request smuggling and parsing corpus (issue 12), sent as raw bytes to
 * the proxy in front of a logging raw upstream with a lenient parser. Every
 * case ends with the proxy closing the connection (a refusal, or
 * `Connection: close` on the last request), then a probe request: the
 * upstream must have parsed exactly the requests the client meant, in order,
 * and then the probe, never a smuggled or misrouted one.
 */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: victim\r\n\r\n';
const S = 'x-downspin-session: corpus\r\n';

interface Case {
  name: string;
  bytes: string;
  /** What the client receives: the statuses of the responses, in order ([] when closed without one). */
  statuses: number[];
  /** `METHOD url` of each request the upstream completes. */
  upstream: string[];
  /** Body bytes the upstream read for each request, when it matters. */
  bodies?: number[];
}

const chunkOf = (text: string): string => `${text.length.toString(16)}\r\n${text}\r\n`;

const CORPUS: Case[] = [
  // CL.TE and TE.CL: both framings present is refused, whichever comes first.
  { name: 'CL.TE', bytes: `POST /clte HTTP/1.1\r\nHost: app\r\n${S}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'TE.CL', bytes: `POST /tecl HTTP/1.1\r\nHost: app\r\n${S}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n${chunkOf(SMUGGLED)}0\r\n\r\n`, statuses: [400], upstream: [] },
  // TE.TE: obfuscated Transfer-Encoding.
  { name: 'TE.TE: chunked then x', bytes: `POST /tete HTTP/1.1\r\nHost: app\r\n${S}Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  // Node takes the headers, then refuses the body mid-request: the connection is closed, nothing is forwarded.
  { name: 'TE.TE: xchunked', bytes: `POST /tete HTTP/1.1\r\nHost: app\r\n${S}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, statuses: [], upstream: [] },
  { name: 'TE.TE: chunked, identity', bytes: `POST /tete HTTP/1.1\r\nHost: app\r\n${S}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'TE.TE: space before the colon', bytes: `POST /tete HTTP/1.1\r\nHost: app\r\n${S}Transfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'TE.TE: vertical tab', bytes: `POST /tete HTTP/1.1\r\nHost: app\r\n${S}Transfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'TE.TE: obs-fold continuation', bytes: `POST /tete HTTP/1.1\r\nHost: app\r\n${S}X-Pad: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  {
    name: 'TE.TE: upper-case CHUNKED is chunked (normalised)',
    bytes: `POST /upper HTTP/1.1\r\nHost: app\r\n${S}Connection: close\r\nTransfer-Encoding: CHUNKED\r\n\r\n${chunkOf(SMUGGLED)}0\r\n\r\n`,
    statuses: [200],
    upstream: ['POST /upper'],
    bodies: [SMUGGLED.length],
  },
  {
    name: 'TE.TE: tab as whitespace is chunked (normalised)',
    bytes: `POST /tab HTTP/1.1\r\nHost: app\r\n${S}Connection: close\r\nTransfer-Encoding:\tchunked\r\n\r\n${chunkOf(SMUGGLED)}0\r\n\r\n`,
    statuses: [200],
    upstream: ['POST /tab'],
    bodies: [SMUGGLED.length],
  },
  // Duplicate or malformed Content-Length.
  { name: 'CL: two different values', bytes: `POST /cl HTTP/1.1\r\nHost: app\r\n${S}Content-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'CL: list "0, 41"', bytes: `POST /cl HTTP/1.1\r\nHost: app\r\n${S}Content-Length: 0, ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'CL: plus sign', bytes: `POST /cl HTTP/1.1\r\nHost: app\r\n${S}Content-Length: +${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'CL: hex', bytes: `POST /cl HTTP/1.1\r\nHost: app\r\n${S}Content-Length: 0x29\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'CL: negative', bytes: `POST /cl HTTP/1.1\r\nHost: app\r\n${S}Content-Length: -1\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'CL: overflowing', bytes: `POST /cl HTTP/1.1\r\nHost: app\r\n${S}Content-Length: 99999999999999999999\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'CL: space before the colon', bytes: `POST /cl HTTP/1.1\r\nHost: app\r\n${S}Content-Length : 0\r\n\r\n${SMUGGLED}`, statuses: [400], upstream: [] },
  {
    name: 'CL: named in Connection is still the framing (normalised)',
    bytes: `POST /conn-cl HTTP/1.1\r\nHost: app\r\n${S}Connection: close, Content-Length\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    statuses: [200],
    upstream: ['POST /conn-cl'],
    bodies: [SMUGGLED.length],
  },
  // Bare LF and CR, NUL, malformed lines.
  { name: 'bare CR ending a header', bytes: `GET /cr HTTP/1.1\r\nHost: app\r\n${S}X-A: 1\rX-B: 2\r\n\r\n`, statuses: [400], upstream: [] },
  { name: 'bare CR in a header value', bytes: `GET /cr HTTP/1.1\r\nHost: app\r\n${S}X-A: 1\r${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'bare LF line endings', bytes: `GET /lf HTTP/1.1\nHost: app\nx-downspin-session: corpus\n\n${SMUGGLED}`, statuses: [400], upstream: [] },
  { name: 'NUL in a header value', bytes: `GET /nul HTTP/1.1\r\nHost: app\r\n${S}X-A: a\x00b\r\n\r\n`, statuses: [400], upstream: [] },
  { name: 'NUL in the target', bytes: `GET /nul\x00/x HTTP/1.1\r\nHost: app\r\n${S}\r\n`, statuses: [400], upstream: [] },
  { name: 'space in a header name', bytes: `GET /sp HTTP/1.1\r\nHost: app\r\n${S}X A: 1\r\n\r\n`, statuses: [400], upstream: [] },
  { name: 'two spaces in the request line (normalised)', bytes: `GET  /sp HTTP/1.1\r\nHost: app\r\n${S}Connection: close\r\n\r\n`, statuses: [200], upstream: ['GET /sp'] },
  { name: 'HTTP/0.9 request line (normalised to HTTP/1.1)', bytes: 'GET /old\r\n\r\n', statuses: [200], upstream: ['GET /old'] },
  // Oversized headers and request line.
  { name: 'oversized header (20 KiB)', bytes: `GET /big HTTP/1.1\r\nHost: app\r\n${S}X-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`, statuses: [431], upstream: [] },
  { name: 'oversized request line (20 KiB)', bytes: `GET /${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: app\r\n${S}\r\n`, statuses: [431], upstream: [] },
  // Without forward mode (no --intercept), absolute-form goes to the target, never to the host it names;
  // CONNECT is refused with a reason (forward/ has the forward-mode corpus).
  {
    name: 'absolute-form target',
    bytes: `GET http://evil.example/abs?q=1 HTTP/1.1\r\nHost: evil.example\r\n${S}Connection: close\r\n\r\n`,
    statuses: [200],
    upstream: ['GET /abs?q=1'],
  },
  { name: 'authority-form target on GET', bytes: `GET evil.example:443 HTTP/1.1\r\nHost: app\r\n${S}\r\n`, statuses: [400], upstream: [] },
  { name: 'relative target without a slash', bytes: `GET abs HTTP/1.1\r\nHost: app\r\n${S}\r\n`, statuses: [400], upstream: [] },
  { name: 'CONNECT', bytes: `CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n${S}\r\n`, statuses: [403], upstream: [] },
  // Pipelining: each request forwarded once, in order.
  {
    name: 'pipelined GETs',
    bytes: `GET /p1 HTTP/1.1\r\nHost: app\r\n${S}\r\nGET /p2 HTTP/1.1\r\nHost: app\r\n${S}Connection: close\r\n\r\n`,
    statuses: [200, 200],
    upstream: ['GET /p1', 'GET /p2'],
  },
  {
    name: 'pipelined POST with a body that looks like a request, then GET',
    bytes: `POST /p1 HTTP/1.1\r\nHost: app\r\n${S}Content-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}GET /p2 HTTP/1.1\r\nHost: app\r\n${S}Connection: close\r\n\r\n`,
    statuses: [200, 200],
    upstream: ['POST /p1', 'GET /p2'],
    bodies: [SMUGGLED.length, 0],
  },
  // Chunked bodies on methods that usually have none (http-proxy's deleteLength pass smuggled these).
  ...['DELETE', 'OPTIONS', 'GET'].map(
    (method): Case => ({
      name: `chunked ${method}`,
      bytes: `${method} /first HTTP/1.1\r\nHost: app\r\n${S}Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n${chunkOf(SMUGGLED)}0\r\n\r\n`,
      statuses: [200],
      upstream: [`${method} /first`],
      bodies: [SMUGGLED.length],
    }),
  ),
  {
    name: 'chunk extension and trailer',
    bytes: `POST /ext HTTP/1.1\r\nHost: app\r\n${S}Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n`,
    statuses: [200],
    upstream: ['POST /ext'],
    bodies: [5],
  },
  { name: 'chunk size overflowing', bytes: `POST /chunk HTTP/1.1\r\nHost: app\r\n${S}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n${SMUGGLED}`, statuses: [], upstream: [] },
  { name: 'chunk data longer than its size', bytes: `POST /chunk HTTP/1.1\r\nHost: app\r\n${S}Transfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n${SMUGGLED}`, statuses: [], upstream: [] },
];

describe('hostile-input corpus: smuggling and parsing (raw bytes, logging upstream)', () => {
  let stack: ProxiedLoggingUpstream;
  let upstream: LoggingUpstream;
  let proxy: RunningProxy;
  beforeAll(async () => {
    stack = await startProxiedLoggingUpstream();
    ({ upstream, proxy } = stack);
  });
  afterAll(async () => stack.close());

  for (const c of CORPUS) {
    it(c.name, async () => {
      upstream.reset();
      const client = await RawConnection.open(proxy.port);
      client.write(c.bytes);
      // Refusals close the connection; a case answered without `Connection: close` ends with its last `ok`.
      const answered = (received: string): boolean =>
        c.statuses.length > 0 && statusLines(received).length >= c.statuses.length && received.endsWith('ok');
      const received = await client.until((bytes) => client.closed || answered(bytes));
      client.destroy();
      expect(statusLines(received)).toEqual(c.statuses);

      // A probe on a fresh connection: whatever the case left on a pooled upstream connection would parse before it.
      const probe = await RawConnection.open(proxy.port);
      probe.write(`GET /probe HTTP/1.1\r\nHost: app\r\n${S}Connection: close\r\n\r\n`);
      expect(statusLines(await probe.untilClosed())).toEqual([200]);
      await eventually(() => expect(upstream.requests.at(-1)?.complete).toBe(true));

      const seen = upstream.requests.map((r) => `${r.method} ${r.url}`);
      const context = JSON.stringify(upstream.raw.map((r) => r.bytes.slice(0, 400)));
      expect(seen, context).toEqual([...c.upstream, 'GET /probe']);
      expect(upstream.requests.every((r) => r.complete && r.host === `127.0.0.1:${upstream.port}`), context).toBe(true);
      if (c.bodies) expect(upstream.requests.slice(0, -1).map((r) => r.bodyBytes)).toEqual(c.bodies);
    });
  }
});
