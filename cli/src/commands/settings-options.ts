import { Command, Option } from 'commander';
import { SETTINGS, type SettingName } from '../config.js';

/**
 * Adds the flags of the named settings to a command, with the variable each
 * falls back to in its help. Values stay strings here: readSettings validates.
 */
export function addSettingOptions(command: Command, names: readonly SettingName[]): Command {
  for (const name of names) {
    const setting = SETTINGS[name];
    if (setting.flag === undefined) continue;
    const takesValue = name !== 'insecureTarget';
    const option = new Option(takesValue ? `${setting.flag} <value>` : setting.flag, `${setting.help} (env ${setting.env})`);
    command.addOption(option);
  }
  const envOnly = names.filter((name) => SETTINGS[name].flag === undefined).map((name) => SETTINGS[name].env);
  if (envOnly.length > 0) command.addHelpText('after', `\nEnvironment: ${envOnly.join(', ')}`);
  return command;
}
