import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDownspin } from '@downspin/testing';
import { startBanner } from './banner.js';

// The built command, as a user runs it: each mistake stops with one line
// naming the flag, before anything slow (the embedded database) is opened.

describe('downspin start refuses a setting it cannot honour', () => {
  let busy: Server;
  let busyPort: number;
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'downspin-checks-'));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    busy.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('--target given twice', async () => {
    const result = await runDownspin(['start', '--target', 'http://127.0.0.1:3000', '--target', 'http://127.0.0.1:4000']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--target given twice ("http://127.0.0.1:3000" and "http://127.0.0.1:4000"): give it once');
  });

  it('--port equal to --control-port', async () => {
    const dataDir = path.join(scratch, 'same');
    const result = await runDownspin(['start', '--port', '18123', '--control-port', '18123', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'downspin: bad setting: --port (PROXY_PORT) and --control-port (CONTROL_PORT) are both 18123: the proxy and the control API need a port each\n',
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a proxy port in use, naming --port, before it opens the data dir', async () => {
    const dataDir = path.join(scratch, 'busy-proxy');
    const result = await runDownspin(['start', '--port', String(busyPort), '--control-port', '0', '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `downspin: bad setting: --port (PROXY_PORT)=${busyPort}: 127.0.0.1:${busyPort} is already in use (another downspin, or the app itself?); pick another with --port (PROXY_PORT)\n`,
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a control port in use, naming --control-port', async () => {
    const dataDir = path.join(scratch, 'busy-control');
    const result = await runDownspin(['start', '--port', '0', '--control-port', String(busyPort), '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^downspin: bad setting: --control-port \(CONTROL_PORT\)=\d+: .* is already in use/);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('the start banner', () => {
  const facts = {
    proxyUrl: 'http://127.0.0.1:8080',
    controlUrl: 'http://127.0.0.1:8081',
    adminKey: 'k'.repeat(24),
    keySource: 'file' as const,
    keyFile: '.downspin/admin-key',
    storage: 'bus: in-process',
  };

  it('tries /api/items on the bundled demo app', () => {
    const banner = startBanner({ ...facts, target: 'http://127.0.0.1:40000', demo: true });
    expect(banner).toContain("curl -s -H 'x-downspin-session: s1' http://127.0.0.1:8080/api/items\n");
  });

  it('tries / on another target, whose paths it does not know', () => {
    const banner = startBanner({ ...facts, target: 'http://localhost:3000', demo: false });
    expect(banner).not.toContain('/api/items');
    expect(banner).toContain("curl -s -H 'x-downspin-session: s1' http://127.0.0.1:8080/\n");
    expect(banner).toContain("curl -s -H 'x-downspin-session: s1' http://127.0.0.1:8080/   # now 300 ms slower");
  });
});
