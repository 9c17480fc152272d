import { Command, Option } from 'commander';
import { ConfigError } from '../config.js';
import { ControlApiError, ControlClient } from '../sessions/client.js';
import { resolveConnection } from '../sessions/connection.js';
import { SessionsUsageError, type SessionAction } from '../sessions/actions.js';

/** What an API command reads and writes; tests pass their own. */
export interface ApiCommandIo {
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

export interface ApiCommandSpec {
  name: string;
  description: string;
  helpAfter: string;
  actions: readonly SessionAction[];
}

/**
 * A command whose subcommands each make one control API call
 * (`downspin sessions …`, `downspin scenarios …`): connection flags,
 * `--json`, one-line errors and the exit statuses above, shared.
 */
export function apiCommand(spec: ApiCommandSpec, io: ApiCommandIo = {}): Command {
  const output = {
    writeOut: (text: string) => (io.write ? io.write(text.replace(/\n$/, '')) : process.stdout.write(text)),
    writeErr: io.writeErr ?? ((text: string) => process.stderr.write(text)),
  };
  const parent = new Command(spec.name)
    .description(spec.description)
    .configureOutput(output)
    .exitOverride()
    .addHelpText('after', spec.helpAfter);
  for (const action of spec.actions) parent.addCommand(subcommand(spec.name, action, io, output));
  return parent;
}

function subcommand(parentName: string, action: SessionAction, io: ApiCommandIo, output: { writeErr: (text: string) => void }): Command {
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
      const shown = flags.json === true ? [JSON.stringify(answer)] : await action.show(answer, io.now?.() ?? Date.now(), args);
      for (const line of shown) write(line);
      const problem = action.problem?.(answer);
      if (problem !== undefined) command.error(problem, { exitCode: EXIT_NOT_ACKNOWLEDGED, code: `downspin.${parentName}.not_acknowledged` });
    } catch (error) {
      if (error instanceof SessionsUsageError || error instanceof ConfigError) {
        command.error(`invalid_setting: ${error.message}`, { exitCode: EXIT_USAGE, code: `downspin.${parentName}.usage` });
      }
      if (error instanceof ControlApiError) {
        command.error(`${error.code}: ${oneLine(error.message)}`, { exitCode: EXIT_API, code: `downspin.${parentName}.api` });
      }
      throw error;
    }
  });
  return command;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
