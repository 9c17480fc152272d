import { Command, Option } from 'commander';
import { ConfigError } from '../config.js';
import { ControlApiError, ControlClient } from '../sessions/client.js';
import { resolveConnection } from '../sessions/connection.js';
import { SessionsUsageError, type SessionAction } from '../sessions/actions.js';
import { SESSION_ACTIONS } from '../sessions/actions.js';

/** What the command reads and writes; tests pass their own. */
export interface SessionsCommandIo {
  env?: NodeJS.ProcessEnv;
  /** One line of output (no newline). Default: stdout. */
  write?: (line: string) => void;
  /** Error text (commander's and ours). Default: stderr. */
  writeErr?: (text: string) => void;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Exit status: a bad flag or setting. */
export const EXIT_USAGE = 2;
/** Exit status: the API refused or could not be reached. */
export const EXIT_API = 1;
/** Exit status: the change is stored, but a live proxy did not acknowledge it in time. */
export const EXIT_NOT_ACKNOWLEDGED = 3;

const HELP_AFTER = `
Sessions are shown by hash; <id> is a hash or the session id itself.
The control API: --control-url or CONTROL_URL (default http://127.0.0.1:8081).
The key: --api-key, else ADMIN_API_KEY, else <data dir>/admin-key as kept by
"downspin start" (--data-dir or DOWNSPIN_DATA_DIR, default ./.downspin).

Exit status: 0 done; 1 the API refused (one line "code: message") or could not
be reached; 2 a bad flag or setting; 3 a shaping change was stored but some
live proxy did not acknowledge it in time.

Examples:
  downspin sessions ls --filter throttled
  downspin sessions downspin 3f2a9c0d1e4b --latency-ms 1500
  downspin sessions profile my-test-session --preset slow-3g
  downspin sessions notify 3f2a9c0d1e4b "Deploy in 5 minutes" --type warning
  downspin sessions show 3f2a9c0d1e4b --json`;

/**
 * `downspin sessions ls|show|upspin|downspin|terminate|notify|profile`: the
 * control API's session commands over HTTP, as a commander command the CLI
 * mounts with `program.addCommand(sessionsCommand())`.
 */
export function sessionsCommand(io: SessionsCommandIo = {}): Command {
  const output = {
    writeOut: (text: string) => (io.write ? io.write(text.replace(/\n$/, '')) : process.stdout.write(text)),
    writeErr: io.writeErr ?? ((text: string) => process.stderr.write(text)),
  };
  const parent = new Command('sessions')
    .description('list, inspect and shape sessions through the control API')
    .configureOutput(output)
    .exitOverride()
    .addHelpText('after', HELP_AFTER);
  for (const action of SESSION_ACTIONS) parent.addCommand(subcommand(action, io, output));
  return parent;
}

function subcommand(action: SessionAction, io: SessionsCommandIo, output: { writeErr: (text: string) => void }): Command {
  const command = new Command(action.name).description(action.description).configureOutput(output).exitOverride();
  for (const arg of action.args) command.argument(arg);
  for (const [flags, description] of action.options) command.option(flags, description);
  command
    .addOption(new Option('--control-url <url>', 'the control API (env CONTROL_URL, default http://127.0.0.1:8081)'))
    .addOption(new Option('--api-key <key>', 'the admin key (env ADMIN_API_KEY, else <data dir>/admin-key)'))
    .addOption(new Option('--data-dir <dir>', 'where "downspin start" keeps admin-key (env DOWNSPIN_DATA_DIR, default ./.downspin)'))
    .option('--json', 'print the API answer as JSON');

  command.action(async (...received: unknown[]) => {
    const args = received.slice(0, action.args.length) as string[];
    const flags = command.opts<Record<string, unknown>>();
    const write = io.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
    try {
      const request = action.request(args, flags);
      const connection = await resolveConnection(flags, io.env ?? process.env);
      const client = new ControlClient({ baseUrl: connection.controlUrl, apiKey: connection.apiKey, fetch: io.fetch });
      const answer = await client.call(request.method, request.path, request.body, action.answer);
      const shown = flags.json === true ? [JSON.stringify(answer)] : action.show(answer, io.now?.() ?? Date.now());
      for (const line of shown) write(line);
      const problem = action.problem?.(answer);
      if (problem !== undefined) command.error(problem, { exitCode: EXIT_NOT_ACKNOWLEDGED, code: 'downspin.sessions.not_acknowledged' });
    } catch (error) {
      if (error instanceof SessionsUsageError || error instanceof ConfigError) {
        command.error(`invalid_setting: ${error.message}`, { exitCode: EXIT_USAGE, code: 'downspin.sessions.usage' });
      }
      if (error instanceof ControlApiError) {
        command.error(`${error.code}: ${oneLine(error.message)}`, { exitCode: EXIT_API, code: 'downspin.sessions.api' });
      }
      throw error;
    }
  });
  return command;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
