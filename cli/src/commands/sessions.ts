import type { Command } from 'commander';
import { SESSION_ACTIONS } from '../sessions/actions.js';
import { apiCommand, type ApiCommandIo } from './api-command.js';
export { EXIT_API, EXIT_NOT_ACKNOWLEDGED, EXIT_USAGE } from './api-command.js';
export type { ApiCommandIo as SessionsCommandIo } from './api-command.js';

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
export function sessionsCommand(io: ApiCommandIo = {}): Command {
  return apiCommand(
    { name: 'sessions', description: 'list, inspect and shape sessions through the control API', helpAfter: HELP_AFTER, actions: SESSION_ACTIONS },
    io,
  );
}
