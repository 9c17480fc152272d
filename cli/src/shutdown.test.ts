import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SHUTDOWN = fileURLToPath(new URL('../dist/shutdown.js', import.meta.url));

/** Runs a node process that installs the handlers, then fails the way a bug would. */
function runFailing(failure: string): ReturnType<typeof spawnSync> {
  const script =
    `import pino from 'pino'; import { handleProcessSignals } from ${JSON.stringify(SHUTDOWN)};` +
    `handleProcessSignals(pino({ level: 'silent' }), []); setTimeout(() => { ${failure} }, 10);` +
    // Still running after this would mean it limped on.
    `setTimeout(() => { console.log('kept running'); process.exit(0); }, 3000);`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('process failure handling', () => {
  it('exits with status 1 on an uncaught exception, naming it on stderr, for a supervisor to restart', () => {
    const result = runFailing(`throw new Error('boom in a socket handler');`);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain('kept running');
    expect(result.stderr).toContain('uncaught exception; exiting for a restart');
    expect(result.stderr).toContain('boom in a socket handler');
  });

  it('exits with status 1 on an unhandled rejection', () => {
    const result = runFailing(`void Promise.reject(new Error('lost promise'));`);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('lost promise');
  });
});
