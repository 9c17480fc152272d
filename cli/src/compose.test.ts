import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTINGS } from './config.js';

/**
 * docker-compose.yml and the Dockerfile, checked without a Docker engine:
 * `docker-compose config` validates and resolves the file, then the resolved
 * services are checked for the wiring the scale-out stack needs. The service
 * commands are run from the built checkout (npm test builds first).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | null>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  volumes?: string[];
}

/** `docker-compose config` with only the given variables set, so a developer's shell cannot change the result. */
async function composeConfig(env: Record<string, string> = {}): Promise<Record<string, Service>> {
  const { stdout } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    timeout: 30_000,
  });
  return (parse(stdout) as { services: Record<string, Service> }).services;
}

const DOWNSPIN_SERVICES = ['migrate', 'control', 'proxy-1', 'proxy-2'];
const KNOWN_ENV = new Set(Object.values(SETTINGS).map((setting) => setting.env));
const env = (service: Service, name: string): string => String(service.environment?.[name] ?? '');

describe('docker-compose.yml', () => {
  it('is valid for docker-compose', async () => {
    const result = await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '--quiet'], { cwd: ROOT, timeout: 30_000 });
    expect(result.stderr).toBe('');
  });

  it('brings up the whole scale-out stack on pinned images, all downspin services from one build', async () => {
    const services = await composeConfig();
    expect(Object.keys(services).sort()).toEqual(['clickhouse', 'control', 'demo-app', 'migrate', 'postgres', 'proxy-1', 'proxy-2', 'redis']);
    for (const name of ['redis', 'postgres', 'clickhouse']) {
      expect(services[name]!.image, name).toMatch(/^[a-z/-]+:\d+\.\d+(\.\d+)*(-alpine)?$/);
      expect(services[name]!.build, name).toBeUndefined();
    }
    for (const name of [...DOWNSPIN_SERVICES, 'demo-app']) {
      expect(services[name]!.build, name).toEqual({ context: ROOT.replace(/\/$/, ''), dockerfile: 'Dockerfile' });
      expect(services[name]!.image, name).toBe('downspin:local');
    }
    expect(services.migrate!.command).toEqual(['downspin', 'migrate']);
    expect(services.control!.command).toEqual(['downspin', 'control']);
    expect(services['proxy-1']!.command).toEqual(['downspin', 'proxy']);
    expect(services['proxy-2']!.command).toEqual(['downspin', 'proxy']);
    expect(services['demo-app']!.command).toEqual(['node', 'demo-app/dist/main.js']);
  });

  it('wires every downspin service to redis, postgres and clickhouse with matching credentials', async () => {
    const services = await composeConfig();
    const postgres = services.postgres!;
    const clickhouse = services.clickhouse!;
    for (const name of DOWNSPIN_SERVICES) {
      const service = services[name]!;
      // Every variable is one downspin reads (a typo would silently fall back to a default).
      for (const variable of Object.keys(service.environment ?? {})) expect(KNOWN_ENV, `${name}: ${variable}`).toContain(variable);
      expect(env(service, 'REDIS_URL'), name).toBe('redis://redis:6379');
      const database = new URL(env(service, 'DATABASE_URL'));
      expect([database.hostname, database.port, database.username, database.password, database.pathname], name).toEqual([
        'postgres',
        '5432',
        env(postgres, 'POSTGRES_USER'),
        env(postgres, 'POSTGRES_PASSWORD'),
        `/${env(postgres, 'POSTGRES_DB')}`,
      ]);
      const telemetry = new URL(env(service, 'CLICKHOUSE_URL'));
      expect([telemetry.hostname, telemetry.port, telemetry.username, telemetry.password, telemetry.pathname], name).toEqual([
        'clickhouse',
        '8123',
        env(clickhouse, 'CLICKHOUSE_USER'),
        env(clickhouse, 'CLICKHOUSE_PASSWORD'),
        `/${env(clickhouse, 'CLICKHOUSE_DB')}`,
      ]);
    }
  });

  it('runs two proxies in front of the demo app on 8080 and 8082, and the control API on 8081', async () => {
    const services = await composeConfig();
    for (const [name, port] of [['proxy-1', '8080'], ['proxy-2', '8082']] as const) {
      const proxy = services[name]!;
      expect(proxy.environment, name).toMatchObject({ HOST: '0.0.0.0', PROXY_PORT: port, CONTROL_URL: 'http://control:8081', TARGET_URL: 'http://demo-app:3000' });
      expect(proxy.ports, name).toEqual([`127.0.0.1:${port}:${port}/tcp`]);
      expect(proxy.healthcheck?.test.join(' '), name).toContain(`http://127.0.0.1:${port}/__downspin/health`);
      expect(proxy.volumes?.[0], name).toMatch(/^[a-z0-9-]+:\/data:rw$/);
    }
    expect(services['proxy-1']!.volumes).not.toEqual(services['proxy-2']!.volumes);
    expect(services.control!.environment).toMatchObject({ HOST: '0.0.0.0', CONTROL_PORT: '8081', ADMIN_API_KEY: '' });
    expect(services.control!.ports).toEqual(['127.0.0.1:8081:8081/tcp']);
    expect(services.control!.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8081/health');
    expect(services['demo-app']!.environment).toMatchObject({ HOST: '0.0.0.0', PORT: '3000' });
    expect(services['demo-app']!.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/health');
  });

  it('takes ADMIN_API_KEY, TARGET_URL, passwords and the publish host from the environment', async () => {
    const services = await composeConfig({
      ADMIN_API_KEY: 'k'.repeat(24),
      TARGET_URL: 'http://host.docker.internal:5173',
      POSTGRES_PASSWORD: 'pg-secret',
      CLICKHOUSE_PASSWORD: 'ch-secret',
      DOWNSPIN_PUBLISH_HOST: '0.0.0.0',
    });
    expect(env(services.control!, 'ADMIN_API_KEY')).toBe('k'.repeat(24));
    expect(env(services['proxy-2']!, 'TARGET_URL')).toBe('http://host.docker.internal:5173');
    expect(env(services.postgres!, 'POSTGRES_PASSWORD')).toBe('pg-secret');
    expect(new URL(env(services['proxy-1']!, 'DATABASE_URL')).password).toBe('pg-secret');
    expect(new URL(env(services.control!, 'CLICKHOUSE_URL')).password).toBe('ch-secret');
    expect(services['proxy-1']!.ports).toEqual(['0.0.0.0:8080:8080/tcp']);
  });

  it('starts each service after what it needs: healthy dependencies, the migration done', async () => {
    const services = await composeConfig();
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'migrate') expect(service.healthcheck, `${name} has a healthcheck`).toBeDefined();
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        if (condition === 'service_healthy') expect(services[dependency]!.healthcheck, `${dependency} has a healthcheck`).toBeDefined();
      }
    }
    expect(services.migrate!.restart).toBe('no');
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    const needsAll = { redis: 'service_healthy', postgres: 'service_healthy', clickhouse: 'service_healthy', migrate: 'service_completed_successfully' };
    for (const name of ['control', 'proxy-1', 'proxy-2']) {
      const conditions = Object.fromEntries(Object.entries(services[name]!.depends_on ?? {}).map(([dependency, { condition }]) => [dependency, condition]));
      expect(conditions, name).toMatchObject(needsAll);
    }
    expect(services['proxy-1']!.depends_on).toMatchObject({ control: { condition: 'service_healthy' }, 'demo-app': { condition: 'service_healthy' } });
  });

  // Each --help starts the CLI, which loads every part: a few seconds each on a busy machine.
  it('names commands that exist in the built downspin CLI', { timeout: 120_000 }, async () => {
    const services = await composeConfig();
    const subcommands = new Set(DOWNSPIN_SERVICES.map((name) => services[name]!.command![1]!));
    await Promise.all(
      [...subcommands].map(async (subcommand) => {
        const { stdout } = await run(process.execPath, ['cli/bin/downspin.js', subcommand, '--help'], { cwd: ROOT, timeout: 90_000 });
        expect(stdout, subcommand).toContain(`Usage: downspin ${subcommand}`);
      }),
    );
  });

  it("starts the demo app with the service's command on PORT and HOST", async () => {
    const services = await composeConfig();
    const [program, ...args] = services['demo-app']!.command!;
    expect(program).toBe('node');
    // PORT 0 instead of 3000: the test must not need a fixed free port.
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`the demo app did not start: ${output}`)), 20_000);
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.on('error', reject);
      });
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses a bad PORT for the demo app in one line', async () => {
    const failed = await run(process.execPath, ['demo-app/dist/main.js'], { cwd: ROOT, env: { PATH: process.env.PATH, PORT: 'http' } }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2, stderr: 'demo app: bad setting: PORT="http": expected a port number\n' });
  });
});

describe('Dockerfile', () => {
  const readText = (file: string) => readFile(`${ROOT}${file}`, 'utf8');
  const readJson = async (file: string) => JSON.parse(await readText(file)) as { name: string; workspaces?: string[]; dependencies?: Record<string, string> };

  it('builds on node:20-slim in stages: npm ci, npm run build, then production dependencies only', async () => {
    const dockerfile = await readText('Dockerfile');
    const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((match) => ({ image: match[1], name: match[2] }));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toBe('node:20-slim');
    const names = new Set(stages.map((stage) => stage.name));
    for (const [, from] of dockerfile.matchAll(/COPY --from=(\S+)/g)) expect(names).toContain(from);
    const steps = ['RUN npm ci --no-audit', 'RUN npm run build', 'RUN npm ci --omit=dev'].map((step) => dockerfile.indexOf(step));
    expect(steps.every((at) => at > 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(dockerfile).toMatch(/ln -s \/app\/cli\/bin\/downspin\.js \/usr\/local\/bin\/downspin/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('puts into the image the build of every workspace the CLI and the demo app load at run time', async () => {
    const dockerfile = await readText('Dockerfile');
    const root = await readJson('package.json');
    const folderOf = new Map<string, string>();
    for (const folder of root.workspaces ?? []) folderOf.set((await readJson(`${folder}/package.json`)).name, folder);
    // The CLI and the demo app, and every workspace their (non-dev) dependencies reach.
    const needed = new Set(['cli', 'demo-app']);
    for (const folder of needed) {
      for (const dependency of Object.keys((await readJson(`${folder}/package.json`)).dependencies ?? {})) {
        const depFolder = folderOf.get(dependency);
        if (depFolder) needed.add(depFolder);
      }
    }
    expect([...needed].sort()).toEqual(expect.arrayContaining(['bus', 'cli', 'control-api', 'db', 'demo-app', 'protocol', 'proxy']));
    const copied = new Set([...dockerfile.matchAll(/^COPY --from=build \S+ \/app\/(\S+) (\S+)$/gm)].filter((m) => m[1] === m[2]).map((m) => m[1]));
    for (const folder of needed) expect(copied, `${folder}/dist`).toContain(`${folder}/dist`);
    // Files read at run time beside dist: SQL migrations, the demo app's pages, the bin script.
    for (const extra of ['db/postgres', 'db/clickhouse', 'demo-app/public', 'cli/bin']) expect(copied, extra).toContain(extra);
    expect(dockerfile).toContain('npm ci --omit=dev --workspace cli --workspace demo-app');
  });
});
