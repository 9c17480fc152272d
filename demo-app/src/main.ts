import pino from 'pino';
import { z } from 'zod';
import { startDemoApp } from './server.js';

/**
 * Standalone entry point (`node demo-app/dist/main.js`, used by
 * docker-compose.yml): the demo app on PORT (default 3000) and HOST
 * (default 127.0.0.1; 0.0.0.0 in a container).
 */
const EnvSchema = z.object({
  PORT: z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535, 'expected a port from 0 to 65535').default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

// An empty variable counts as unset, like the downspin CLI's settings.
const env = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ''));
const parsed = EnvSchema.safeParse(env);
if (!parsed.success) {
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`);
  process.stderr.write(`demo app: bad setting: ${problems.join('; ')}\n`);
  process.exit(2);
}
const logger = pino({ level: parsed.data.LOG_LEVEL, base: undefined });
// startDemoApp logs `demo app listening` with its url.
const app = await startDemoApp({ port: parsed.data.PORT, host: parsed.data.HOST, logger });

const stop = (): void => {
  app.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'error while closing');
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
