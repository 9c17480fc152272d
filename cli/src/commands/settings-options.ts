import { Command, InvalidArgumentError, Option } from 'commander';
import { SETTINGS, type SettingName } from '../config.js';

/**
 * Adds the flags of the named settings to a command, with the variable each
 * falls back to in its help. Values stay strings here: readSettings validates.
 */
export function addSettingOptions(command: Command, names: readonly SettingName[]): Command {
  for (const name of names) {
    const setting = SETTINGS[name];
    if (setting.flag === undefined) continue;
    const takesValue = !SWITCHES.has(name);
    const option = new Option(takesValue ? `${setting.flag} <value>` : setting.flag, `${setting.help} (env ${setting.env})`);
    // Commander keeps the last of a repeated flag: `--target a --target b`
    // would silently shape b. Say so instead; list settings collect every one.
    if (LISTS.has(name)) option.argParser(collect);
    else if (takesValue) option.argParser(onlyOnce(setting.flag));
    command.addOption(option);
  }
  const envOnly = names.filter((name) => SETTINGS[name].flag === undefined).map((name) => SETTINGS[name].env);
  if (envOnly.length > 0) command.addHelpText('after', `\nEnvironment: ${envOnly.join(', ')}`);
  return command;
}

/** Settings given as a bare flag (on when present). */
const SWITCHES = new Set<SettingName>(['insecureTarget', 'tunnelUnlisted', 'requireProxyAuth']);
/** Settings whose flag may repeat, each adding entries (read as one comma-separated list). */
const LISTS = new Set<SettingName>(['intercept', 'resolve']);

function collect(value: string, previous: string | undefined): string {
  return previous === undefined ? value : `${previous},${value}`;
}

function onlyOnce(flag: string): (value: string, previous: string | undefined) => string {
  return (value, previous) => {
    if (previous !== undefined) throw new InvalidArgumentError(`${flag} given twice ("${previous}" and "${value}"): give it once`);
    return value;
  };
}
