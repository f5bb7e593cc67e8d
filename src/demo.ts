import { Readable } from 'node:stream';
import { csvRows } from './adapters/registry/csv-rows.ts';
import { demoAffiliatesCsv, demoEmploymentCsv, showcaseAffiliates, type DemoAffiliate } from './adapters/registry/demo-registry.ts';
import type { RegistryStore, SettingsStore } from './services/ports.ts';
import { importAffiliates, importEmployment } from './services/registry-import.ts';

export const DEMO_AFFILIATES = 60;
const LOADED_KEY = 'demo_registry_loaded_at';

/**
 * On the first start of the embedded database, loads the synthetic registry through the
 * same import path as `clave import`. Later starts find the mark and load nothing.
 */
export async function loadDemoRegistryOnce(registry: RegistryStore, settings: SettingsStore, now: Date): Promise<boolean> {
  if (await settings.get(LOADED_KEY)) return false;
  const today = now.toISOString().slice(0, 10);
  await importAffiliates(registry, csvRows(Readable.from(demoAffiliatesCsv(DEMO_AFFILIATES))), { today });
  await importEmployment(registry, csvRows(Readable.from(demoEmploymentCsv(DEMO_AFFILIATES))), { today });
  await settings.set(LOADED_KEY, now.toISOString());
  return true;
}

export async function hasDemoRegistry(settings: SettingsStore): Promise<boolean> {
  return (await settings.get(LOADED_KEY)) !== undefined;
}

function describe({ affiliate, employment }: DemoAffiliate): string {
  const [year, month, day] = affiliate.fechaNacimiento.split('-');
  const employers = employment.map((job) => `${job.empleador} (${job.fechaInicio.slice(0, 4)}–${job.fechaFin?.slice(0, 4) ?? 'hoy'})`).join('; ');
  return `  ${affiliate.cedula}  ${affiliate.nombres} ${affiliate.apellidos}, nació el ${day}/${month}/${year}\n      correo: ${affiliate.correo}\n      empleadores: ${employers}`;
}

/** The console lines that let a newcomer try every journey. */
export function demoBanner(publicUrl: URL): string {
  const people = showcaseAffiliates(DEMO_AFFILIATES).map(describe).join('\n');
  return [
    'Afiliados de demostración (datos ficticios):',
    people,
    `  Los correos llegan al buzón de desarrollo: ${new URL('/dev/correo', publicUrl)}`,
  ].join('\n');
}
