import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { json, parseStartBanner, request, type StartBanner } from '@downspin/testing';

/**
 * Every shell command shown in a README (the root one and each workspace's)
 * works verbatim in this installed checkout: a README edit that breaks one,
 * or adds one nobody checks, fails here.
 *
 * Each command meets exactly one rule below:
 * - run: executed with bash, must exit 0;
 * - serve: a long-running `start`, started, waited for its banner, the
 *   follow-up commands shown after it run against it, then stopped;
 * - resolve: a build, suite or benchmark too long for this test (CI runs
 *   them through `npm test`): checked to resolve (the script, the workspace,
 *   the test files or the Playwright project exist), not run;
 * - skip: never run here, with the reason.
 *
 * Time: `npm start` builds incrementally (tsc -b, vite) before it starts.
 * Measured on the shared 2-core host at load average 20: 86 s for the npm
 * start test, 40-45 s for the --target one; the deadlines leave room for that.
 *
 * Two things differ from a user's shell, on purpose: the ports are the free
 * ones the started processes print (PROXY_PORT=0, CONTROL_PORT=0; helpers run
 * in parallel on this machine), so `localhost:8080`/`:8081` in a command are
 * rewritten to them; and the data dir is a temporary one (DOWNSPIN_DATA_DIR),
 * so `.downspin/` is rewritten to it.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface ReadmeCommand {
  readme: string;
  /** One logical line: continuations joined, comment removed. */
  text: string;
}

type Rule =
  | { kind: 'skip'; match: RegExp; reason: string }
  | { kind: 'resolve'; match: RegExp; reason: string }
  | { kind: 'run'; match: RegExp }
  | { kind: 'serve'; match: RegExp; then?: RegExp };

const RULES: Rule[] = [
  { kind: 'skip', match: /^\.ci\/run$/, reason: 'installs Debian packages as root, then npm ci && npm test: it is the CI job itself' },
  { kind: 'skip', match: /^npm test$/, reason: 'the whole suite, which runs this test' },
  {
    kind: 'skip',
    match: /^npm install -D @downspin\/playwright @playwright\/test$/,
    reason: "installs into the user's own project from the registry; playwright/test/pack.spec.ts installs the packed package that way",
  },
  { kind: 'serve', match: /^npm ci && npm start$/, then: /^(K=\$\(cat \.downspin\/admin-key\)|curl )/ },
  { kind: 'serve', match: /^npx downspin start --target \S+( --intercept \S+)?$/ },
  { kind: 'run', match: /^npx downspin ca( --pem)?$/ },
  { kind: 'run', match: /^npx downspin load / },
  { kind: 'resolve', match: /^npm run build$/, reason: 'npm test builds first, so CI runs it on every change' },
  { kind: 'resolve', match: /^npm run lint$/, reason: 'npm test lints (ESLint and the import-cycle check) after building, so CI runs it on every change' },
  { kind: 'resolve', match: /^npm run bench( -- .*)?$/, reason: 'a benchmark of 1 to 5 minutes (bench/README.md)' },
  { kind: 'resolve', match: /^npx vitest run( \S+)+$/, reason: 'a test suite of its own; npm test runs it' },
  { kind: 'resolve', match: /^npx playwright test --project[= ]\S+$/, reason: 'a browser suite of its own; npm test runs it' },
  {
    kind: 'resolve',
    match: /^npm (run )?(build|test|test:e2e|dev) -w \S+$/,
    reason: 'a workspace build, suite or dev server that npm run build / npm test run',
  },
];

function readmes(): string[] {
  const workspaces = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return ['README.md', ...workspaces.map((w) => `${w}/README.md`)].filter((file) => existsSync(path.join(ROOT, file)));
}

/** Shell commands of a README's sh/bash/shell blocks, and the `$ ` lines of its console blocks. */
function extractCommands(readme: string, markdown: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  for (const block of markdown.matchAll(/^```(sh|bash|shell|console)\n([\s\S]*?)^```/gm)) {
    const consoleBlock = block[1] === 'console';
    const lines = block[2]!.split('\n');
    let pending = '';
    for (const raw of lines) {
      let line = raw;
      if (consoleBlock && pending === '') {
        if (!line.startsWith('$ ')) continue;
        line = line.slice(2);
      }
      line = withoutComment(line).trimEnd();
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1).trim()} `;
        continue;
      }
      const text = (pending + line.trim()).trim();
      pending = '';
      if (text !== '') commands.push({ readme, text });
    }
  }
  return commands;
}

/** Drops a `# comment` that is outside quotes. */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function ruleOf(command: ReadmeCommand): Rule | undefined {
  return RULES.find((rule) => rule.match.test(command.text));
}

const all = readmes().flatMap((file) => extractCommands(file, readFileSync(path.join(ROOT, file), 'utf8')));

/** Where a resolve rule's command points, checked to exist. */
function resolveProblems(text: string): string[] {
  const rootPackage = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  let m = /^npm run (\S+)/.exec(text);
  if (m && !/ -w /.test(text)) return rootPackage.scripts[m[1]!] ? [] : [`no root script "${m[1]}"`];
  m = /^npm (?:run )?(\S+) -w (\S+)$/.exec(text);
  if (m) {
    const dir = workspaceDir(m[2]!);
    if (dir === undefined) return [`no workspace "${m[2]}"`];
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    return scripts[m[1]!] ? [] : [`workspace ${m[2]} has no script "${m[1]}"`];
  }
  m = /^npx vitest run (.+)$/.exec(text);
  if (m) {
    const files = testFiles();
    return m[1]!.split(' ').filter((filter) => !files.some((file) => file.includes(filter))).map((filter) => `no test file matches "${filter}"`);
  }
  m = /^npx playwright test --project[= ](\S+)$/.exec(text);
  if (m) {
    const config = readFileSync(path.join(ROOT, 'playwright.config.ts'), 'utf8');
    return config.includes(`name: '${m[1]}'`) ? [] : [`no Playwright project "${m[1]}" in playwright.config.ts`];
  }
  return ['no way to resolve this command'];
}

function workspaceDir(name: string): string | undefined {
  const workspaces = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return workspaces.find((dir) => {
    if (dir === name) return true;
    return (JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { name: string }).name === name;
  });
}

/** Test files the root vitest config includes (`*\/src/**\/*.test.ts`), relative to the root. */
function testFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.test.ts')) found.push(rel);
    }
  };
  for (const entry of readdirSync(ROOT, { withFileTypes: true })) {
    if (entry.isDirectory() && existsSync(path.join(ROOT, entry.name, 'src'))) walk(path.join(entry.name, 'src'));
  }
  return found;
}

// ---- running -------------------------------------------------------------

const children = new Set<ChildProcess>();
const scratch: string[] = [];

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

process.on('exit', () => {
  for (const child of children) killGroup(child, 'SIGKILL');
});

afterAll(async () => {
  for (const child of children) killGroup(child, 'SIGKILL');
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

async function sandboxEnv(): Promise<{ env: NodeJS.ProcessEnv; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'downspin-readme-'));
  scratch.push(dataDir);
  const env: NodeJS.ProcessEnv = { ...process.env, PROXY_PORT: '0', CONTROL_PORT: '0', DOWNSPIN_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (const key of ['ADMIN_API_KEY', 'REDIS_URL', 'DATABASE_URL', 'CLICKHOUSE_URL', 'TARGET_URL', 'HOST']) delete env[key];
  return { env, dataDir };
}

/** Starts `text` in its own process group and resolves once it printed the start banner. */
function serve(text: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ child: ChildProcess; banner: StartBanner; output: () => string }> {
  const child = spawn('bash', ['-c', text], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start banner from \`${text}\` within ${timeoutMs} ms:\n${output.slice(-3000)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const banner = parseStartBanner(output);
      if (banner === undefined) return;
      clearTimeout(timer);
      resolve({ child, banner, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`\`${text}\` exited with ${code} before its banner:\n${output.slice(-3000)}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

/** Runs a script with bash; resolves with its exit code and output. */
function run(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn('bash', ['-e', '-c', script], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, output });
    }),
  );
}

/** The rewrites named at the top: free ports instead of 8080/8081, the temp data dir instead of .downspin/. */
function rewrite(text: string, banner: StartBanner, dataDir: string): string {
  const proxy = new URL(banner.proxyUrl).host;
  const control = new URL(banner.controlUrl).host;
  return text
    .replace(/(localhost|127\.0\.0\.1):8080/g, proxy)
    .replace(/(localhost|127\.0\.0\.1):8081/g, control)
    .replace(/(^|[\s(])\.downspin\//g, `$1${dataDir}/`);
}

describe('README commands', () => {
  it('every command meets exactly one rule (a new command needs a rule or a skip with its reason)', () => {
    expect(all.length).toBeGreaterThan(10);
    const unmatched = all.filter((command) => ruleOf(command) === undefined && !isFollowUp(command));
    expect(unmatched.map((c) => `${c.readme}: ${c.text}`)).toEqual([]);
  });

  it('the commands too long to run here resolve: scripts, workspaces, test files and projects exist', () => {
    const problems = all.flatMap((command) => {
      const rule = ruleOf(command);
      return rule?.kind === 'resolve' ? resolveProblems(command.text).map((p) => `${command.readme}: ${command.text}: ${p}`) : [];
    });
    expect(problems).toEqual([]);
  });

  it('README.md: npm start, then the Try it commands against it, then downspin load (cli/README.md)', { timeout: 240_000 }, async () => {
    const start = all.find((c) => c.readme === 'README.md' && c.text === 'npm ci && npm start');
    expect(start, 'README.md shows `npm ci && npm start`').toBeDefined();
    const { env, dataDir } = await sandboxEnv();
    // `npm ci` is the install step this checkout already ran (re-running it here would
    // reinstall node_modules under every other test); `npm start` runs verbatim.
    const started = await serve('npm start', env, 150_000);
    try {
      const { banner } = started;
      expect(banner.targetUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const followUps = all.filter((c) => c.readme === 'README.md' && isFollowUp(c));
      expect(followUps.length).toBeGreaterThanOrEqual(4);
      const script = followUps.map((c) => rewrite(c.text, banner, dataDir)).join('\n');
      const result = await run(script, env, 30_000);
      expect(result.code, result.output).toBe(0);
      // What the block promises: s1 is throttled by 300 ms now, s2 is not.
      // curl -s prints no newline after a body: count the answers, not lines.
      expect(result.output.match(/\{"items":\[/g), result.output).toHaveLength(3);
      const s1 = await request(`${banner.controlUrl}/admin/sessions/s1`, { headers: { 'x-api-key': banner.adminKey } });
      expect(json(s1)).toMatchObject({ session: { mode: 'downspin', shaping: 'downspin: latency 300 ms' } });

      for (const load of all.filter((c) => ruleOf(c)?.kind === 'run' && /^npx downspin load /.test(c.text))) {
        const loaded = await run(load.text, { ...env, LOAD_URL: `${banner.proxyUrl}/api/items` }, 60_000);
        expect(loaded.code, `${load.readme}: ${load.text}\n${loaded.output}`).toBe(0);
        expect(loaded.output).toMatch(/stopped=completed/);
      }
    } finally {
      await stop(started.child);
    }
  });

  it('README.md: npx downspin start --target puts the proxy in front of another app', { timeout: 120_000 }, async () => {
    const commands = all.filter((c) => /^npx downspin start --target /.test(c.text));
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const { env } = await sandboxEnv();
      const started = await serve(command.text, env, 100_000);
      try {
        const target = /--target (\S+)/.exec(command.text)![1]!;
        expect(started.banner.targetUrl).toBe(target);
        expect(started.output()).toContain(`curl -s -H 'x-downspin-session: s1' ${started.banner.proxyUrl}/\n`);
      } finally {
        await stop(started.child);
      }
    }
  });
});

describe('README commands: downspin ca', () => {
  it('prints the local CA (made on first use in the data dir), its SPKI hash, and with --pem the certificate only', { timeout: 60_000 }, async () => {
    const commands = all.filter((c) => /^npx downspin ca/.test(c.text));
    expect(commands.length).toBeGreaterThan(0);
    const { env, dataDir } = await sandboxEnv();
    for (const command of commands) {
      const result = await run(command.text, env, 30_000);
      expect(result.code, `${command.readme}: ${command.text}\n${result.output}`).toBe(0);
      if (command.text.endsWith('--pem')) {
        expect(result.output).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
      } else {
        expect(result.output).toContain(`certificate: ${path.join(dataDir, 'ca', 'downspin-ca.pem')}`);
        expect(result.output).toMatch(/spki-sha256: [A-Za-z0-9+/]{43}=/);
      }
      expect(result.output).not.toContain('PRIVATE KEY');
    }
  });
});

/** A command shown after a `serve` command in the same block family (the Try it curls). */
function isFollowUp(command: ReadmeCommand): boolean {
  return RULES.some((rule) => rule.kind === 'serve' && rule.then?.test(command.text) === true);
}
