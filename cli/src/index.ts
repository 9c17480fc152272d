export { main } from './main.js';
export { readSettings, ConfigError, SETTINGS, type SettingName, type Settings } from './config.js';
