import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { watchProcess } from '@downspin/testing';

/** A running Node-RED (the npm package, unmodified) with a throwaway user dir. */
export interface NodeRed {
  /** Where it listens, e.g. http://127.0.0.1:41813 (the editor is at `/`). */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

const RED_JS = createRequire(import.meta.url).resolve('node-red/red.js');

/**
 * Only configuration: a loopback port of its own choosing, no welcome tour
 * (its popups would cover the notifications), no update check or
 * diagnostics (no network here), an empty flow, whole debug messages.
 */
const SETTINGS = `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: 0,
  flowFile: 'flows.json',
  credentialSecret: 'downspin-e2e',
  editorTheme: { tours: false, projects: { enabled: false } },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
  // The debug sidebar gets whole messages (default: cut at 1000 characters), so a test can move a big one over /comms.
  debugMaxLength: 1000000,
  logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;

/**
 * Starts `node-red --userDir <tmp> --settings <tmp>/settings.js` as a user
 * runs it and resolves with its URL once it printed "Server now running at".
 * A watchdog stops it (and removes the dir) if the test runner dies first.
 */
export async function startNodeRed(timeoutMs = 60_000): Promise<NodeRed> {
  const userDir = await mkdtemp(path.join(tmpdir(), 'downspin-node-red-'));
  const settings = path.join(userDir, 'settings.js');
  await writeFile(settings, SETTINGS);
  const child = spawn(process.execPath, [RED_JS, '--userDir', userDir, '--settings', settings], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) watchProcess(child.pid, { remove: [userDir] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
    await rm(userDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Node-RED was not up within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /Server now running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', reject);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`Node-RED exited before it was up:\n${output}`));
      });
    });
    return { url, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
