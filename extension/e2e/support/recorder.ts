import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** True for WebSocket upgrade requests. */
  upgrade: boolean;
}

/** A plain web server that remembers every request's headers (the proxy strips ours, so we look here). */
export interface Recorder {
  url: string;
  requests: Recorded[];
  reset(): void;
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>recorder</title>
<link rel="stylesheet" href="/style.css"></head>
<body><h1>recorder</h1><img src="/pixel.gif" alt=""><iframe src="/frame.html" title="frame"></iframe>
<button type="button" data-testid="go">Go</button></body></html>`;

/**
 * A recording "app origin" on 127.0.0.1: serves a page with a stylesheet,
 * an image and an iframe, answers everything else with a small body, and
 * records WebSocket upgrade requests (then refuses them).
 */
export async function startRecorder(): Promise<Recorder> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, upgrade: false });
    const path = new URL(req.url ?? '/', 'http://recorder.invalid').pathname;
    if (path === '/' || path === '/frame.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(path === '/' ? PAGE : '<!doctype html><p>frame</p>');
      return;
    }
    res.writeHead(200, { 'content-type': path.endsWith('.css') ? 'text/css' : 'text/plain', 'cache-control': 'no-store' });
    res.end(path.endsWith('.css') ? 'body{font-family:sans-serif}' : 'ok');
  });
  server.on('upgrade', (req, socket) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, upgrade: true });
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reset: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
