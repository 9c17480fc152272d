import type { Logger } from 'pino';

/**
 * Closes what a command started on SIGINT/SIGTERM, in reverse order. An
 * uncaught exception or unhandled rejection leaves the process in a state
 * nobody knows (a socket never answered, a timer never cleared): it is
 * logged and the process exits with status 1, for its supervisor (systemd,
 * Docker's restart policy, Kubernetes) to start it again. Shaping survives a
 * restart: it is reloaded from the store.
 */
export function handleProcessSignals(logger: Logger, closers: (() => Promise<void>)[]): void {
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const close of [...closers].reverse()) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, 'error while shutting down');
      }
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.on('uncaughtException', (error) => crash(logger, error, 'uncaught exception; exiting for a restart'));
  process.on('unhandledRejection', (reason) => crash(logger, reason, 'unhandled rejection; exiting for a restart'));
}

function crash(logger: Logger, error: unknown, message: string): void {
  logger.fatal({ err: error }, message);
  // The logger may write through a worker (pino-pretty) that exit would cut off; stderr is synchronous.
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`downspin: ${message}: ${detail}\n`);
  process.exit(1);
}
