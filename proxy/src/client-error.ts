import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** The response Node attaches to a socket while one is being answered (or queued behind it). */
type HttpSocket = Duplex & { _httpMessage?: unknown };

const STATUS: Record<string, string> = {
  // headersTimeout (slow headers) and requestTimeout end here.
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  // More header bytes than maxHeaderSize.
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
};

/**
 * Answers what Node's HTTP parser refuses (bad framing, CL+TE conflicts,
 * header overflow, header timeouts) without ever corrupting a response.
 *
 * A status line is only safe at a message boundary: when no response is in
 * flight or queued on the socket. Mid-response (a garbage line sent while a
 * paced body streams) the 400 would land inside the body; behind a pipelined
 * request still being answered, the client would read the 400 as that
 * request's answer. In both cases the socket is destroyed instead: the
 * client sees a broken connection, never a wrong response.
 *
 * Node's own default handler writes whenever the in-flight response has not
 * sent its headers, which is the pipelining case above; so every server of
 * downspin (proxy and control API) installs this one.
 */
export function answerClientErrors(server: Server, onError?: (error: NodeJS.ErrnoException) => void): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: HttpSocket) => {
    onError?.(error);
    if (error.code === 'ECONNRESET' || !socket.writable || socket._httpMessage) {
      socket.destroy();
      return;
    }
    const status = STATUS[error.code ?? ''] ?? '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
}
