import { Readable } from 'node:stream';
import { csvRows } from './adapters/registry/csv-rows.ts';
import { demoAffiliatesCsv, demoEmploymentCsv, NOT_IN_DEMO_REGISTRY, showcaseAffiliates, unverifiedAffiliate, type DemoAffiliate } from './adapters/registry/demo-registry.ts';
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

/** The console lines that let a newcomer try every journey, the ones where nothing can be sent included. */
export function demoBanner(publicUrl: URL): string {
  const people = showcaseAffiliates(DEMO_AFFILIATES).map(describe).join('\n');
  const unverified = unverifiedAffiliate(DEMO_AFFILIATES);
  return [
    'Afiliados de demostración (datos ficticios; nadie tiene clave todavía: empiece con Generar clave):',
    people,
    ...(unverified ? [`  Con datos de contacto sin verificar (no se le envía nada, CLV-012): ${unverified.affiliate.cedula} ${unverified.affiliate.nombres} ${unverified.affiliate.apellidos}`] : []),
    `  Una cédula válida que no está en el registro (tampoco recibe nada): ${NOT_IN_DEMO_REGISTRY}`,
    `  Los correos llegan al buzón de desarrollo: ${new URL('/dev/correo', publicUrl)}`,
  ].join('\n');
}
