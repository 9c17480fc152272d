import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timedRequest } from './http-client.js';
import { stopChild, track } from './processes.js';

export interface RunningNginx {
  url: string;
  stop(): Promise<void>;
}

/** The reference reverse proxy: one worker (downspin is one process too), keep-alive to the upstream. */
export function nginxConfig(dir: string, port: number, upstream: URL): string {
  return `worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app {
    server ${upstream.hostname}:${upstream.port};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
}

/** Whether an nginx binary is on the PATH. */
export function hasNginx(): boolean {
  return spawnSync('nginx', ['-v'], { stdio: 'ignore' }).error === undefined;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts nginx in the foreground with a generated config in a temp dir and
 * resolves once it answers. The dir goes when it stops.
 */
export async function startNginx(upstream: URL, probePath: string): Promise<RunningNginx> {
  const dir = await mkdtemp(join(tmpdir(), 'downspin-bench-nginx-'));
  const port = await freePort();
  const config = join(dir, 'nginx.conf');
  await writeFile(config, nginxConfig(dir, port, upstream));
  // -e: the error log before the config is read (the default path may not be writable).
  const child = spawn('nginx', ['-p', dir, '-c', config, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errorLog = '';
  // The temp dir goes with nginx, however the bench ends; its error log is kept for the message.
  track(child, () => {
    try {
      errorLog = readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      // No log written.
    }
    rmSync(dir, { recursive: true, force: true });
  });
  let stderr = '';
  let spawnError: Error | undefined;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('error', (error) => {
    spawnError = error;
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> => stopChild(child);

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (spawnError !== undefined) throw new Error(`nginx could not start: ${spawnError.message}`);
    if (child.exitCode !== null) {
      throw new Error(`nginx exited (code ${child.exitCode}): ${(stderr + errorLog).trim()}`);
    }
    const ok = await timedRequest(`${url}${probePath}`).then((res) => res.status === 200, () => false);
    if (ok) return { url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not answer within 10 s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
