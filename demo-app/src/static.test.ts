import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { json, request } from '@downspin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApp, type DemoApp } from './index.js';
import { PUBLIC_DIR } from './public-dir.js';

let app: DemoApp;
beforeAll(async () => {
  app = await startDemoApp();
});
afterAll(() => app.close());

describe('static pages', () => {
  it('serves the home page with its buttons and test ids', async () => {
    const res = await request(`${app.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = res.body.toString();
    for (const id of ['load-items', 'items-spinner', 'items-status', 'add-item', 'feed-toggle', 'feed-lag', 'download', 'upload', 'page-load-status']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
  });

  it('serves the about page by its file name and without the extension', async () => {
    for (const path of ['/about.html', '/about']) {
      const res = await request(`${app.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.body.toString()).toContain('data-testid="about-page"');
    }
  });

  it('serves scripts, styles and the icon with their content types', async () => {
    const expected: Record<string, string> = {
      '/app.js': 'text/javascript; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/favicon.svg': 'image/svg+xml',
    };
    for (const [path, type] of Object.entries(expected)) {
      const res = await request(`${app.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe(type);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
    }
  });

  it('answers 304 when the page did not change', async () => {
    const first = await request(`${app.url}/style.css`);
    const etag = first.headers.etag!;
    const again = await request(`${app.url}/style.css`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answers 404: JSON for API clients, a page for browsers', async () => {
    const api = await request(`${app.url}/nope`);
    expect(api.status).toBe(404);
    expect(json<{ error: { code: string } }>(api).error.code).toBe('not_found');
    const page = await request(`${app.url}/nope`, { headers: { accept: 'text/html,*/*' } });
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body.toString()).toContain('data-testid="not-found-title"');
  });

  it('never serves files outside public/', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/src/server.ts']) {
      const res = await request(`${app.url}${path}`);
      expect(res.status, path).toBe(404);
    }
  });

  it('refuses writes to pages with 405', async () => {
    const res = await request(`${app.url}/index.html`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('loads nothing from other origins (works with no network)', async () => {
    for (const name of await readdir(PUBLIC_DIR)) {
      const text = await readFile(join(PUBLIC_DIR, name), 'utf8');
      // The SVG namespace is an identifier, not a fetch.
      const external = text.replaceAll('http://www.w3.org/2000/svg', '').match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi);
      expect(external, name).toBeNull();
    }
  });
});
