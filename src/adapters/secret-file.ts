import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

const FILE_NAME = 'secret.key';
/** As SECRET_KEY: at least 32 characters; visible ASCII, so that nothing was cut or mangled. */
const WELL_FORMED = /^[\x21-\x7e]{32,}$/;

/**
 * Outside production the server secret may be generated: once, kept in DATA_DIR with
 * owner-only permissions, so links and CAPTCHA challenges survive a restart. A file that
 * is empty or cut short stops the boot: an empty secret would let anyone sign their own
 * CAPTCHA challenges.
 */
export async function loadOrCreateSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, FILE_NAME);
  const stored = (await readIfPresent(path)) ?? (await createThenRead(dataDir, path));
  const secret = stored.trim();
  if (!WELL_FORMED.test(secret)) {
    throw new Error(`${path} no contiene un secreto válido (está vacío, incompleto o tiene espacios o caracteres no ASCII; hacen falta 32 caracteres o más): restáurelo de una copia, bórrelo para que se genere otro al arrancar, o defina SECRET_KEY`);
  }
  return secret;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes the secret whole to a file of its own, then links it into place: no reader ever
 * sees a partial file, and unlike rename, link never replaces a secret another process
 * placed first and may already be using. The first process wins; the others read its secret.
 */
async function createThenRead(dataDir: string, path: string): Promise<string> {
  const temp = join(dataDir, `.${FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dataDir, { recursive: true });
    await writeDurably(temp, `${randomBytes(32).toString('base64url')}\n`);
    await link(temp, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw new Error(`no se pudo guardar el secreto generado en ${path} (compruebe que DATA_DIR admite escritura y tiene espacio, o defina SECRET_KEY): ${(error as Error).message}`);
  } finally {
    await rm(temp, { force: true });
  }
  return readFile(path, 'utf8');
}

/** Synced before it is linked, so a crash cannot leave an empty secret.key behind. */
async function writeDurably(path: string, text: string): Promise<void> {
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}
