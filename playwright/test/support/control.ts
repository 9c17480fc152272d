import { createServer } from 'node:net';
import type { SessionView } from '@downspin/protocol';
import type { DownspinServer } from '../../../browser-support/downspin-server.js';

/** Reads a session straight from the control API (to check the fixture from the outside). */
export async function sessionView(server: DownspinServer, id: string): Promise<{ status: number; session?: SessionView }> {
  const res = await fetch(`${server.controlUrl}/admin/sessions/${encodeURIComponent(id)}`, { headers: { 'x-api-key': server.apiKey } });
  const body = (await res.json()) as { session?: SessionView };
  return { status: res.status, session: body.session };
}

/** A loopback port nothing listens on (it was free a moment ago). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
