import type { Logger } from 'pino';

/**
 * Closes what a command started on SIGINT/SIGTERM, in reverse order, and keeps
 * the process alive through stray errors: a proxy that dies on one bad socket
 * would take every tester's session with it.
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
  process.on('uncaughtException', (error) => logger.error({ err: error }, 'uncaught exception (kept running)'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection (kept running)'));
}
