import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnDownspin } from './downspin-process.js';
import { eventually } from './eventually.js';
import { parseStartBanner } from './downspin-start.js';
import { watchProcess } from './process-watchdog.js';

const BANNER = [
  '',
  '  downspin is running',
  '',
  '  proxy       http://127.0.0.1:41001  →  http://127.0.0.1:41003  (bundled demo app)',
  '  dashboard   http://127.0.0.1:41002',
  '  control API http://127.0.0.1:41002/admin  (openapi: http://127.0.0.1:41002/openapi.json)',
  '  admin key   k3y-from-the-banner_0123456789  (made now, saved in /tmp/x/admin-key)',
  '',
].join('\n');

describe('parseStartBanner', () => {
  it('reads the URLs and the key, with log lines around the banner', () => {
    const warn = '{"level":40,"msg":"proxy listening without a dashboard key"}\n';
    expect(parseStartBanner(warn + BANNER + warn)).toEqual({
      proxyUrl: 'http://127.0.0.1:41001',
      targetUrl: 'http://127.0.0.1:41003',
      controlUrl: 'http://127.0.0.1:41002',
      adminKey: 'k3y-from-the-banner_0123456789',
    });
  });

  it('waits for a line cut between two chunks to be complete', () => {
    const cut = BANNER.indexOf('41002') + 3;
    expect(parseStartBanner(BANNER.slice(0, cut))).toBeUndefined();
    expect(parseStartBanner(BANNER.slice(0, BANNER.indexOf('admin key') + 20))).toBeUndefined();
  });
});

describe('spawnDownspin', () => {
  it('rejects with what the process printed when it exits before it is up', async () => {
    const started = spawnDownspin(['start', '--port', 'abc'], { ready: (output) => /downspin is running/.exec(output)?.[0] });
    await expect(started).rejects.toThrow(/^downspin start --port abc exited \(code 1\) before it was up:\ndownspin: bad setting: --port="abc"/);
  });
});

describe('watchProcess', () => {
  it('stops the process and removes its files once the owner was killed', async () => {
    const idle = ['-e', 'setInterval(() => {}, 1000)'];
    const owner = spawn(process.execPath, idle, { stdio: 'ignore' });
    const server = spawn(process.execPath, idle, { stdio: 'ignore' });
    const serverExit = new Promise<NodeJS.Signals | null>((resolve) => server.once('exit', (_code, signal) => resolve(signal)));
    const dir = await mkdtemp(path.join(tmpdir(), 'downspin-watchdog-test-'));
    try {
      watchProcess(server.pid!, { ownerPid: owner.pid!, remove: [dir] });
      owner.kill('SIGKILL');
      expect(await serverExit).toBe('SIGTERM');
      await eventually(() => expect(existsSync(dir)).toBe(false), 10_000);
    } finally {
      owner.kill('SIGKILL');
      server.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
