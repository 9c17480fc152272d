import WebSocket from 'ws';

/** Codes a close frame may carry; 1005/1006/1015 are only ever reported, never sent. */
export function sendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

export function safeClose(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSED) return;
  if (socket.readyState === WebSocket.CONNECTING) {
    socket.terminate();
    return;
  }
  if (sendableCloseCode(code)) socket.close(code, truncateReason(reason));
  else if (code === 1006) socket.terminate();
  else socket.close();
}

/** A close reason is at most 123 bytes. */
function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  return Buffer.from(reason).subarray(0, 120).toString('utf8');
}
