import type { Command } from 'commander';
import { SCENARIO_ACTIONS } from '../scenarios/actions.js';
import { apiCommand, type ApiCommandIo } from './api-command.js';

const HELP_AFTER = `
Scenarios are named, versioned profiles or timelines kept by the control API;
each save bumps the version, and a session shaped by one shows its name and
version (session history, telemetry). A preset's name is never a scenario's.
The control API and the key: as for "downspin sessions" (--control-url or
CONTROL_URL; --api-key, ADMIN_API_KEY or <data dir>/admin-key).

Exit status: 0 done; 1 the API refused or could not be reached; 2 a bad flag,
file or setting; 3 applied and stored, but some live proxy did not acknowledge.

Examples:
  downspin scenarios ls
  downspin scenarios import scenarios/checkout-outage.json
  downspin scenarios apply "checkout outage" --session my-test-session
  downspin scenarios export "checkout outage" scenarios/checkout-outage.json`;

/** `downspin scenarios ls|get|apply|import|export`: a team's scenarios through the control API. */
export function scenariosCommand(io: ApiCommandIo = {}): Command {
  return apiCommand({ name: 'scenarios', description: 'list, share and apply named shaping scenarios', helpAfter: HELP_AFTER, actions: SCENARIO_ACTIONS }, io);
}
