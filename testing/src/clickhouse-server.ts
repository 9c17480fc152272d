import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ClickHouseServer {
  /** HTTP interface, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  /** The throwaway directory holding config, data and logs. */
  readonly dir: string;
  /** The server process's id (a new one after a restart; undefined while stopped), e.g. to read its CPU time. */
  readonly pid: number | undefined;
  /**
   * Stops the server (SIGTERM, or SIGKILL to simulate a crash), stays down
   * for `downMs`, then starts it again on the same data dir and ports.
   */
  restart(options?: { downMs?: number; signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /** Kills the server and removes its directory. */
  stop(): Promise<void>;
}

export interface StartClickHouseOptions {
  /** Server time zone (default UTC). Tests may pick an odd one to catch SQL that relies on it. */
  timezone?: string;
  /** How long to wait for /ping (default 60 s: the first start on a busy machine is slow). */
  startTimeoutMs?: number;
}

/** A server and the watchdog shell it runs under. */
interface Running {
  watchdog: ChildProcess;
  pid: number;
}

/** Server pids still running, killed if the test process exits without stopping them. */
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Runs the server ("$@") under a small shell that prints its pid and holds
 * the read end of a pipe from this process: when this process dies, however
 * it dies (even SIGKILL), the pipe closes and the server is killed, so an
 * interrupted test run leaves no server behind.
 */
const WATCHDOG = `exec 3<&0
"$@" 3<&- </dev/null >/dev/null &
server=$!
echo "$server"
( read -r _ <&3; kill -9 "$server" 2>/dev/null ) &
watcher=$!
wait "$server"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"`;

const APT_HINT = 'install the Debian packages: apt-get install clickhouse-server clickhouse-client';

/** The binary forms ClickHouse ships in: Debian's split binaries, or the single `clickhouse` one. */
const BINARY_FORMS: Array<{ file: string; args: string[] }> = [
  { file: 'clickhouse-server', args: [] },
  { file: 'clickhouse', args: ['server'] },
];

/**
 * Starts a private ClickHouse server for tests on free loopback ports with a
 * data dir under the system temp dir.
 *
 * @example
 * const ch = await startClickHouse();
 * await fetch(`${ch.url}/?query=SELECT%201`);
 * await ch.stop();
 */
export async function startClickHouse(options: StartClickHouseOptions = {}): Promise<ClickHouseServer> {
  const binary = findBinary();
  const dir = await mkdtemp(path.join(tmpdir(), 'downspin-clickhouse-'));
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let child: Running | undefined;
  let ports: { http: number; tcp: number } | undefined;
  // A port picked as free may be taken before the server binds it: try fresh ports a few times.
  for (let attempt = 1; ; attempt++) {
    ports = { http: await freePort(), tcp: await freePort() };
    await writeConfig(dir, ports, options.timezone ?? 'UTC');
    try {
      child = await launch(binary, dir, ports.http, timeoutMs);
      break;
    } catch (error) {
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const { http, tcp } = ports;
  let current: Running | undefined = child;

  return {
    url: `http://127.0.0.1:${http}`,
    httpPort: http,
    tcpPort: tcp,
    dir,
    get pid() {
      return current?.pid;
    },
    async restart({ downMs = 0, signal = 'SIGTERM' } = {}) {
      if (current !== undefined) await terminate(current, signal);
      current = undefined;
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      current = await launch(binary, dir, http, timeoutMs);
    },
    async stop() {
      if (current !== undefined) await terminate(current, 'SIGKILL');
      current = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function findBinary(): { file: string; args: string[] } {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin'];
  for (const form of BINARY_FORMS) {
    const found = dirs.find((d) => d !== '' && existsSync(path.join(d, form.file)));
    if (found !== undefined) return { file: path.join(found, form.file), args: form.args };
  }
  throw new Error(`No ClickHouse server binary (clickhouse-server or clickhouse) found on PATH: ${APT_HINT}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function writeConfig(dir: string, ports: { http: number; tcp: number }, timezone: string): Promise<void> {
  const config = `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${dir}/server.log</log>
    <errorlog>${dir}/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>${timezone}</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
`;
  const users = `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;
  await writeFile(path.join(dir, 'config.xml'), config);
  await writeFile(path.join(dir, 'users.xml'), users);
}

/** Spawns the server and resolves once GET /ping answers; rejects if it exits first. */
async function launch(
  binary: { file: string; args: string[] },
  dir: string,
  httpPort: number,
  timeoutMs: number,
): Promise<Running> {
  const args = [...binary.args, `--config-file=${path.join(dir, 'config.xml')}`];
  const watchdog = spawn('sh', ['-c', WATCHDOG, 'clickhouse-watchdog', binary.file, ...args], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Nothing is ever written to it; it only has to stay open while we live.
  watchdog.stdin?.on('error', () => {});
  let stderr = '';
  watchdog.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let exited: string | undefined;
  watchdog.on('error', (error) => {
    exited = `could not run the server: ${error.message}`;
  });
  watchdog.on('exit', (code, signal) => {
    exited ??= `exited with ${signal ?? `code ${code}`}`;
  });
  let pid = 0;
  let stdout = '';
  watchdog.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    const line = /^(\d+)\n/.exec(stdout);
    if (line !== null && pid === 0) {
      pid = Number(line[1]);
      live.add(pid);
      watchdog.once('exit', () => live.delete(pid));
    }
  });

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== undefined) break;
    if (pid !== 0 && (await pings(httpPort))) return { watchdog, pid };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (exited === undefined) await terminate({ watchdog, pid }, 'SIGKILL');
  const log = await readFile(path.join(dir, 'server.err.log'), 'utf8').catch(() => '');
  throw new Error(
    `ClickHouse did not start (${exited ?? `no /ping answer within ${timeoutMs} ms`}); ` +
      `if it is missing, ${APT_HINT}.\nstderr: ${stderr.trim()}\nerror log: ${log.slice(-2000).trim()}`,
  );
}

async function pings(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) });
    return response.ok && (await response.text()).startsWith('Ok');
  } catch {
    return false;
  }
}

/** Signals the server and resolves once it (and so its watchdog) has exited. */
function terminate({ watchdog, pid }: Running, signal: NodeJS.Signals): Promise<void> {
  if (watchdog.exitCode !== null || watchdog.signalCode !== null) return Promise.resolve();
  const send = (sig: NodeJS.Signals) => {
    try {
      if (pid !== 0) process.kill(pid, sig);
      else watchdog.kill(sig);
    } catch {
      // already gone
    }
  };
  return new Promise((resolve) => {
    // A server that ignores SIGTERM for long gets SIGKILL: tests must not hang on shutdown.
    const force = setTimeout(() => send('SIGKILL'), 15_000);
    watchdog.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    send(signal);
  });
}
