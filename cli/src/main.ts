import { Command, CommanderError } from 'commander';
import { caCommand } from './commands/ca.js';
import { controlCommand } from './commands/control.js';
import { loadCommand } from './commands/load.js';
import { migrateCommand } from './commands/migrate.js';
import { proxyCommand } from './commands/proxy.js';
import { scenariosCommand } from './commands/scenarios.js';
import { sessionsCommand } from './commands/sessions.js';
import { startCommand } from './commands/start.js';
import { ConfigError } from './config.js';

/**
 * The `downspin` command. Failures print one line and exit non-zero: a bad
 * setting or an unreachable dependency is a message, not a stack trace.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('downspin')
    .description('QA traffic shaper: a reverse proxy that slows, throttles, rate-limits and breaks traffic per browser session')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(startCommand());
  program.addCommand(proxyCommand());
  program.addCommand(controlCommand());
  program.addCommand(migrateCommand());
  program.addCommand(sessionsCommand());
  program.addCommand(scenariosCommand());
  program.addCommand(loadCommand());
  program.addCommand(caCommand());
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`downspin: ${oneLine(message)}\n`);
    if (process.env.LOG_LEVEL === 'debug' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
