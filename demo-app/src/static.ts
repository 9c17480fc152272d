import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DemoError } from './errors.js';
import type { RouteHandler } from './router.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * Loads every file of `dir` (flat, a few KiB) into memory once. Requests are
 * looked up by exact name, so no path from a client ever reaches the file
 * system (no traversal to guard against).
 */
export async function loadStaticFiles(dir: string): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const type = CONTENT_TYPES[extname(entry.name)];
    if (!entry.isFile() || type === undefined) continue;
    const body = await readFile(join(dir, entry.name));
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`;
    files.set(`/${entry.name}`, { body, type, etag });
  }
  return files;
}

const NOT_FOUND_PAGE = Buffer.from(
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found · downspin demo</title>' +
    '<link rel="stylesheet" href="/style.css"></head><body><main class="page">' +
    '<h1 data-testid="not-found-title">Page not found</h1><p>There is nothing at this address.</p>' +
    '<p><a data-testid="not-found-home" href="/">Back to the demo</a></p></main></body></html>',
);

/**
 * Serves the loaded files (`/` is `index.html`, `/about` is `about.html`).
 * Anything else is a 404: an HTML page for browsers, JSON for everyone else.
 */
export function staticHandler(files: Map<string, StaticFile>): RouteHandler {
  return function serveStatic({ req, res, url }) {
    const method = req.method ?? 'GET';
    let path = url.pathname === '/' ? '/index.html' : url.pathname;
    if (!files.has(path) && files.has(`${path}.html`)) path = `${path}.html`;
    const file = files.get(path);
    if (file === undefined || (method !== 'GET' && method !== 'HEAD')) {
      if (file !== undefined) throw new DemoError('method_not_allowed', undefined, ['allow', 'GET, HEAD']);
      if (method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'content-length': NOT_FOUND_PAGE.length });
        res.end(NOT_FOUND_PAGE);
        return;
      }
      throw new DemoError('not_found');
    }
    const headers = {
      'content-type': file.type,
      etag: file.etag,
      // Revalidate every time: a shaped reload should really go over the wire.
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': file.body.length });
    res.end(method === 'HEAD' ? undefined : file.body);
  };
}
