import { createServer } from 'node:net';
import { ConfigError, SETTINGS } from './config.js';

/** A port a command is about to listen on, and the setting it came from. */
export interface WantedPort {
  setting: 'port' | 'controlPort' | 'metricsPort';
  port: number;
}

/**
 * Checks the ports a command will listen on before it opens anything slow
 * (the embedded database takes seconds): two settings on the same port, or a
 * port another process holds, stop at once with one line naming the flag and
 * its variable. Port 0 (any free port) always passes.
 */
export async function assertPortsUsable(host: string, wanted: readonly WantedPort[]): Promise<void> {
  const fixed = wanted.filter((entry) => entry.port !== 0);
  for (let i = 0; i < fixed.length; i++) {
    for (let j = i + 1; j < fixed.length; j++) {
      if (fixed[i]!.port === fixed[j]!.port) {
        throw new ConfigError(
          `bad setting: ${name(fixed[i]!.setting)} and ${name(fixed[j]!.setting)} are both ${fixed[i]!.port}: the proxy and the control API need a port each`,
        );
      }
    }
  }
  for (const entry of fixed) {
    const problem = await tryListen(host, entry.port);
    if (problem === undefined) continue;
    const hint = problem === 'EADDRINUSE' ? 'is already in use (another downspin, or the app itself?)' : `cannot be opened (${problem})`;
    throw new ConfigError(`bad setting: ${name(entry.setting)}=${entry.port}: ${host}:${entry.port} ${hint}; pick another with ${name(entry.setting)}`);
  }
}

function name(setting: WantedPort['setting']): string {
  const { flag, env } = SETTINGS[setting];
  return `${flag} (${env})`;
}

/** Binds and releases the port; the error code when that fails. */
function tryListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
