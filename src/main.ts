import { createClave, type Clave } from './app.ts';
import type { Config } from './config.ts';
import { DEMO_AFFILIATES, demoBanner, hasDemoRegistry, loadDemoRegistryOnce } from './demo.ts';

const SHUTDOWN_GRACE_MS = 10_000;

function stopOnSignals(clave: Clave): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clave.logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    // A request that never finishes must not keep the process from stopping.
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    clave.close().then(
      () => process.exit(0),
      (error: unknown) => {
        clave.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** `clave serve` (and `npm start`): migrate, load the demo registry once, listen. */
export async function serve(config: Config): Promise<Clave> {
  const clave = await createClave(config);
  stopOnSignals(clave);
  if (config.demoData && (await loadDemoRegistryOnce(clave.registry, clave.settings, new Date()))) {
    console.log(`Registro de demostración cargado: ${DEMO_AFFILIATES} afiliados ficticios.`);
  }
  await clave.web.listen({ port: config.port, host: config.host });
  clave.outbox.start();
  clave.clavePolicy.start();
  clave.retention.start();
  const where = config.storage.kind === 'postgres' ? 'PostgreSQL' : `PGlite en ${config.dataDir}`;
  const banner = config.demoData && (await hasDemoRegistry(clave.settings)) ? `\n${demoBanner(config.publicUrl)}` : '';
  console.log(`\nClave está sirviendo en ${config.publicUrl}  (base de datos: ${where})${banner}`);
  return clave;
}
