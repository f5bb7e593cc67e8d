import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = dirname(fileURLToPath(import.meta.url));
const source = join(webDir, 'styles', 'clave.scss');
export const stylesheetPath = join(webDir, 'static', 'build', 'clave.css');

async function isFresh(): Promise<boolean> {
  try {
    const [built, scss] = await Promise.all([stat(stylesheetPath), stat(source)]);
    return built.mtimeMs >= scss.mtimeMs;
  } catch {
    return false;
  }
}

/**
 * `npm install` compiles the stylesheet (the `prepare` script); serving compiles it
 * only when it is missing or older than its source, so a clone never serves unstyled pages.
 */
export async function buildStylesheet(options: { force?: boolean } = {}): Promise<string> {
  if (!options.force && (await isFresh())) return stylesheetPath;
  const sass = await import('sass');
  const result = await sass.compileAsync(source, {
    style: 'compressed',
    importers: [new sass.NodePackageImporter()],
    quietDeps: true,
    silenceDeprecations: ['import'],
  });
  await mkdir(dirname(stylesheetPath), { recursive: true });
  await writeFile(stylesheetPath, result.css);
  return stylesheetPath;
}
