import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { formatEvent } from '../load/format.js';
import { runLoad, type SummaryEvent } from '../load/generator.js';
import { createHttpSender } from '../load/sender.js';
import { LOAD_SETTINGS, readLoadSettings, type LoadSettings } from '../load/settings.js';
import { checkTarget, TargetError, type Lookup } from '../load/target.js';

/** What the command reads and writes; tests pass their own. */
export interface LoadCommandIo {
  env?: NodeJS.ProcessEnv;
  /** One report line (no newline). Default: stdout. */
  write?: (line: string) => void;
  /** Host resolution for the loopback check. Default: the system resolver. */
  lookup?: Lookup;
  /** Stops the run early (the command also stops on SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

const HELP_AFTER = `
Phases run in order: base, spike, cooldown (0 seconds skips a phase, 0 rps
makes it a pause).
Requests go out on schedule whether or not earlier ones answered (open model).
Every second prints: phase, target rate, sent, ok (2xx/3xx), 429, other
(any other status and network errors), skipped (due while --concurrency were
in flight), average and p95 latency of the answers in that second; then a
summary per phase and in total. --json prints the same as JSON lines.

Only loopback targets (127.0.0.0/8, ::1, localhost) unless --allow-remote.
A heavy spike over a session's rate limit trips the proxy's abuse guard:
50 rate-limit violations ban the session for 5 minutes (403s in "other").
Use a fresh --session per run (the default), or ABUSE_GUARD=off on the proxy.

Exit status: 0 when the run ended, 1 when no request got any answer,
2 for a bad setting or a refused target.

Example:
  downspin load --base-rps 10 --spike-rps 200 --spike-seconds 10`;

/**
 * `downspin load`: the spiky load generator, as a commander command the CLI
 * mounts with `program.addCommand(loadCommand())`.
 */
export function loadCommand(io: LoadCommandIo = {}): Command {
  const command = new Command('load').description(
    'spiky load generator: base, spike and cooldown phases at target rates, a line per second, bounded in requests and time',
  );
  for (const setting of Object.values(LOAD_SETTINGS)) {
    const fallback = setting.schema.safeParse(undefined);
    const shownDefault = fallback.success && fallback.data !== undefined && fallback.data !== false ? `, default ${String(fallback.data)}` : '';
    const env = 'env' in setting ? ` (env ${setting.env}${shownDefault})` : shownDefault ? ` (${shownDefault.slice(2)})` : '';
    command.option('arg' in setting ? `${setting.flag} ${setting.arg}` : setting.flag, `${setting.help}${env}`);
  }
  command.addHelpText('after', HELP_AFTER);

  command.action(async (flags: Record<string, unknown>) => {
    let settings: LoadSettings;
    try {
      settings = readLoadSettings(flags, io.env ?? process.env);
      await checkTarget(settings.url, settings.allowRemote, io.lookup);
    } catch (error) {
      if (error instanceof ConfigError || error instanceof TargetError) {
        command.error(`downspin load: ${error.message}`, { exitCode: 2, code: 'downspin.load.setting' });
      }
      throw error;
    }
    const summary = await run(settings, io);
    const failure = unanswered(summary, settings.url);
    if (failure) command.error(`downspin load: ${failure}`, { exitCode: 1, code: 'downspin.load.unanswered' });
  });
  return command;
}

async function run(settings: LoadSettings, io: LoadCommandIo): Promise<SummaryEvent> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  // A closed stdout (e.g. `| head`) ends the run instead of crashing it.
  const onStdoutError = (): void => stop.abort();
  const write = io.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  if (!io.write) process.stdout.on('error', onStdoutError);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  io.signal?.addEventListener('abort', onSignal, { once: true });
  const sender = createHttpSender(settings);
  try {
    return await runLoad(settings, {
      sender,
      signal: stop.signal,
      report: (event) => {
        for (const line of formatEvent(event, settings.json)) write(line);
      },
    });
  } finally {
    sender.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', onStdoutError);
    io.signal?.removeEventListener('abort', onSignal);
  }
}

/** Why the run proved nothing, when not one request got an answer. */
function unanswered(summary: SummaryEvent, url: string): string | undefined {
  const { total } = summary;
  if (summary.stopReason === 'interrupted' || total.sent === 0) return undefined;
  const networkErrors = Object.entries(total.otherKinds).filter(([kind]) => !kind.startsWith('status '));
  const failed = networkErrors.reduce((sum, [, count]) => sum + count, 0);
  if (failed < total.sent) return undefined;
  const kinds = networkErrors.map(([kind, count]) => `${kind} ×${count}`).join(', ');
  return `no answer from ${url} (${kinds}); is the proxy running?`;
}
