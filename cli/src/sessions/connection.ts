import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, readSettings } from '../config.js';

export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:8081';

export interface Connection {
  controlUrl: string;
  apiKey: string;
  /** Where the key came from, for error messages. */
  keySource: '--api-key' | 'ADMIN_API_KEY' | string;
}

const ApiKeyFlagSchema = z.string().trim().min(1, 'expected a key').optional();

/**
 * Where the control API is and the key to use: `--control-url` /
 * `CONTROL_URL` (default http://127.0.0.1:8081); the key from `--api-key`,
 * else `ADMIN_API_KEY`, else the file the embedded default keeps
 * (`<--data-dir or DOWNSPIN_DATA_DIR or ./.downspin>/admin-key`). A bad
 * setting is a `ConfigError` naming the flag or variable.
 */
export async function resolveConnection(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<Connection> {
  const settings = readSettings(['controlUrl', 'dataDir'], flags, env);
  const controlUrl = (settings.controlUrl ?? DEFAULT_CONTROL_URL).replace(/\/+$/, '');
  const flag = ApiKeyFlagSchema.safeParse(flags.apiKey);
  if (!flag.success) throw new ConfigError(`bad setting: --api-key: ${flag.error.issues.map((i) => i.message).join('; ')}`);
  if (flag.data !== undefined) return { controlUrl, apiKey: flag.data, keySource: '--api-key' };
  const fromEnv = env.ADMIN_API_KEY?.trim();
  if (fromEnv) return { controlUrl, apiKey: fromEnv, keySource: 'ADMIN_API_KEY' };
  const file = path.resolve(settings.dataDir, 'admin-key');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored !== '') return { controlUrl, apiKey: stored, keySource: file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`cannot read the admin key in ${file}: ${(error as Error).message}`);
  }
  throw new ConfigError(`no API key: pass --api-key, set ADMIN_API_KEY, or point --data-dir (DOWNSPIN_DATA_DIR) at the folder with admin-key (looked in ${file})`);
}
