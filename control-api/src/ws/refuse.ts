import type { Duplex } from 'node:stream';
import { ERROR_CATALOGUE, type ErrorCode } from '@downspin/protocol';
import { STATUS_CODES } from 'node:http';

/**
 * Answers an upgrade request we will not take, on the raw socket (no
 * WebSocket exists yet): the catalogue's status and the usual JSON error
 * body, then the connection ends.
 */
export function refuseUpgrade(socket: Duplex, code: ErrorCode, message: string = ERROR_CATALOGUE[code].message): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = ERROR_CATALOGUE[code].status;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}
