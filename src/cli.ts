import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './app.ts';
import { migrate } from './adapters/db/migrate.ts';
import { createRegistryStore } from './adapters/db/registry-store.ts';
import { runImport } from './commands/import.ts';
import { writeDemoData } from './commands/demo-data.ts';
import { ImportFileError } from './services/registry-import.ts';
import { serve } from './main.ts';

const USAGE = `Uso: clave <orden> [opciones]

Órdenes:
  serve                                   sirve el portal (lo que hace npm start)
  migrate                                 aplica las migraciones pendientes y termina
  import --affiliates ARCHIVO [--employment ARCHIVO]
                                          carga el registro de afiliados (CSV)
  demo-data --affiliates N --out CARPETA  genera un registro sintético en CSV

La configuración se lee de las variables de entorno (vea .env.example).`;

class UsageError extends Error {}

function option(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

async function withDatabase<T>(work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig());
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.close();
  }
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { affiliates: { type: 'string' }, employment: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  switch (command) {
    case 'serve':
      await serve(loadConfig());
      return -1;
    case 'migrate':
      return withDatabase(async (db) => {
        const applied = await migrate(db);
        console.log(applied.length > 0 ? `migraciones aplicadas: ${applied.join(', ')}` : 'la base ya estaba al día');
        return 0;
      });
    case 'import': {
      const affiliates = option(values, 'affiliates');
      const employment = option(values, 'employment');
      if (!affiliates && !employment) throw new UsageError('import necesita --affiliates ARCHIVO y/o --employment ARCHIVO');
      const today = new Date().toISOString().slice(0, 10);
      return withDatabase((db) => runImport(createRegistryStore(db), { affiliates, employment }, today));
    }
    case 'demo-data': {
      const count = Number(option(values, 'affiliates') ?? '50');
      const out = option(values, 'out');
      if (!Number.isInteger(count) || count < 1 || !out) throw new UsageError('demo-data necesita --affiliates N (entero positivo) y --out CARPETA');
      const files = await writeDemoData(count, out);
      console.log(`registro sintético de ${count} afiliados: ${files.affiliates}, ${files.employment}`);
      return 0;
    }
    default:
      console.log(USAGE);
      return command === undefined || command === 'help' || values.help ? 0 : 2;
  }
}

function describeFailure(error: unknown): { message: string; code: number } {
  if (error instanceof ConfigError) return { message: `configuración inválida: ${error.message}`, code: 2 };
  if (error instanceof UsageError) return { message: `${error.message}\n\n${USAGE}`, code: 2 };
  if (error instanceof ImportFileError) return { message: `no se pudo importar: ${error.message}`, code: 1 };
  const code = (error as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return { message: `${(error as Error).message}\n\n${USAGE}`, code: 2 };
  }
  return { message: error instanceof Error ? error.message : String(error), code: 1 };
}

/** A .env file in the working directory fills in what the real environment does not set. */
function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}

try {
  loadDotEnv();
  const code = await run(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (error) {
  const { message, code } = describeFailure(error);
  process.stderr.write(`clave: ${message}\n`);
  process.exit(code);
}
