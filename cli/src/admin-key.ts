import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const KEY_FILE = 'admin-key';

/**
 * The control API key: ADMIN_API_KEY when set; otherwise the one kept in the
 * data dir, made on first start (readable by the owner only).
 */
export async function resolveAdminKey(configured: string | undefined, dataDir: string): Promise<{ key: string; source: 'env' | 'file' | 'new' }> {
  if (configured !== undefined) return { key: configured, source: 'env' };
  const file = path.join(dataDir, KEY_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 16) return { key: stored, source: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(24).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { key, source: 'new' };
}
