import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test as fixtureTest, expect } from '../src/index.js';
import { withDownspin } from '../../browser-support/with-downspin.js';

const test = withDownspin(fixtureTest);
const exec = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** This process's environment without what npm and the outer Playwright run put there. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|PW_|PLAYWRIGHT_|TEST_)/i.test(key) || key === 'NODE_OPTIONS' || key.startsWith('DOWNSPIN_')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv({})) {
  try {
    return await exec(command, args, { cwd, env, maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

// What a user writes: the example from the product description, a typed
// profile, and the config with the option and the env fallback.
function config(launchOptions: { executablePath?: string; args?: string[] }): string {
  return `import { defineConfig } from '@playwright/test';
import type { DownspinTestOptions } from '@downspin/playwright';

export default defineConfig<DownspinTestOptions>({
  testDir: 'tests',
  workers: 1,
  reporter: [['json', { outputFile: 'results.json' }]],
  use: {
    baseURL: process.env.APP_URL,
    downspin: { controlUrl: process.env.CONTROL_URL }, // the key comes from ADMIN_API_KEY
    launchOptions: ${JSON.stringify({ executablePath: launchOptions.executablePath, args: launchOptions.args })},
  },
});
`;
}

const SPEC = `import { test, expect, type Shaping } from '@downspin/playwright';

test('cart survives slow 3g', async ({ page, shaper }) => {
  await shaper.apply('slow-3g');
  await page.goto('/');
  await shaper.timeline([{ atMs: 0, preset: 'offline' }, { atMs: 3000, preset: 'none' }]);
  expect((await shaper.stats()).requests).toBeGreaterThan(0);
});

test('a typed profile and the retry it causes', async ({ page, shaper }) => {
  const retryOnce: Shaping = { faults: { failFirst: 1, status: 503 }, routes: ['/api/**'] };
  await page.goto('/');
  await shaper.apply(retryOnce);
  await page.getByTestId('load-items').click();
  await expect(page.getByTestId('items-status')).toHaveText(/after 1 retry$/);
  // @ts-expect-error a latency is a number of ms: the types come from the protocol
  const notAProfile: Parameters<typeof shaper.apply>[0] = { latency: { ms: 'slow' } };
  expect(notAProfile).toBeDefined();
  // A name that is not a preset is a scenario's, and none has it.
  await expect(shaper.apply('warp-speed')).rejects.toThrow(/^scenario_not_found: /);
});
`;

const TSCONFIG = JSON.stringify({
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
  include: ['playwright.config.ts', 'tests'],
});

test('the packed package installs and runs in a project outside the repository', async ({ downspinServer, launchOptions }) => {
  test.setTimeout(300_000);
  const project = await mkdtemp(path.join(tmpdir(), 'downspin-pack-'));
  try {
    // @downspin/protocol is a runtime dependency (schemas, session ids) and not on the
    // registry yet: it is packed too, as publishing the workspaces would.
    const { stdout } = await run('npm', ['pack', '-w', 'protocol', '-w', 'playwright', '--pack-destination', project, '--json'], REPO);
    const tarballs = (JSON.parse(stdout) as { filename: string; files: { path: string }[] }[]).map((p) => ({
      file: p.filename.replace(/^@/, '').replace('/', '-'),
      paths: p.files.map((f) => f.path),
    }));
    const fixturePack = tarballs.find((t) => t.file.startsWith('downspin-playwright-'))!;
    expect(fixturePack.paths).toContain('dist/index.d.ts');
    // Code, types, their maps and the sources the maps point at; no tests.
    expect(fixturePack.paths.filter((p) => !/^(dist\/[\w-]+\.(js|d\.ts)(\.map)?|src\/[\w-]+\.ts|package\.json|README\.md)$/.test(p))).toEqual([]);
    expect(fixturePack.paths.filter((p) => p.includes('.test.'))).toEqual([]);

    const versionOf = async (name: string) =>
      (JSON.parse(await readFile(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((t) => `./${t.file}`), `@playwright/test@${await versionOf('@playwright/test')}`, `@types/node@${await versionOf('@types/node')}`],
      project,
    );
    // The same Chromium as this run (Playwright cannot download its own here).
    await writeFile(path.join(project, 'playwright.config.ts'), config(launchOptions));
    await writeFile(path.join(project, 'tsconfig.json'), TSCONFIG);
    await mkdir(path.join(project, 'tests'));
    await writeFile(path.join(project, 'tests', 'cart.spec.ts'), SPEC);

    // The installed types check (the @ts-expect-error above fails if they were any).
    await run(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project], project);

    const env = cleanEnv({ APP_URL: downspinServer.proxyUrl, CONTROL_URL: downspinServer.controlUrl, ADMIN_API_KEY: downspinServer.apiKey });
    await run(process.execPath, [path.join(project, 'node_modules/@playwright/test/cli.js'), 'test'], project, env).catch(async (error: Error) => {
      const results = await readFile(path.join(project, 'results.json'), 'utf8').catch(() => '');
      throw new Error(`${error.message}\n${results.slice(0, 8000)}`);
    });
    const results = JSON.parse(await readFile(path.join(project, 'results.json'), 'utf8')) as { stats: { expected: number; unexpected: number; skipped: number } };
    expect(results.stats).toMatchObject({ expected: 2, unexpected: 0, skipped: 0 });
    expect(await readdir(path.join(project, 'node_modules/@downspin'))).toEqual(['playwright', 'protocol']);
  } finally {
    await rm(project, { recursive: true, force: true });
  }
});
