import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runDirectory } from '../../../browser-support/downspin-server.js';

/**
 * Waits until `parties` tests (in any workers of this run) reached the point
 * called `name`. Files in the run's directory, so parallel workers meet.
 */
export async function rendezvous(name: string, parties: number, timeoutMs: number): Promise<void> {
  const dir = path.join(runDirectory(), `rendezvous-${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${process.pid}-${Math.random().toString(36).slice(2)}`), '');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const arrived = (await readdir(dir)).length;
    if (arrived >= parties) return;
    if (Date.now() > deadline) {
      throw new Error(`rendezvous "${name}": ${arrived} of ${parties} tests arrived within ${timeoutMs} ms (the project needs ${parties} workers)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
