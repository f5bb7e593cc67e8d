import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Outside production the server secret may be generated: once, kept in DATA_DIR with
 * owner-only permissions, so links and CAPTCHA challenges survive a restart.
 */
export async function loadOrCreateSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, 'secret.key');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    await writeFile(path, secret + '\n', { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
    return (await readFile(path, 'utf8')).trim();
  }
}
