import pino, { type Logger } from 'pino';

/** Pretty lines on a terminal, JSON lines otherwise (containers, CI logs). */
export function createLogger(level: string): Logger {
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({
    level,
    base: undefined,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } } } : {}),
  });
}
