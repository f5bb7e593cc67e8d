import type { Clave, ClaveOverrides } from '../../src/app.ts';
import { createClave } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Backend } from './backends.ts';

export const TEST_ENV = {
  NODE_ENV: 'test',
  DATABASE_URL: 'memory://',
  LOG_LEVEL: 'silent',
  INSTITUTE_NAME: 'Instituto de Prueba',
  // Tests drive many journeys from one address; the throttle tests set their own limits.
  FLOW_STARTS_PER_IP: '100000',
  FLOW_STARTS_PER_CEDULA: '100000',
  IDENTITY_PER_IP: '100000',
  REDEEMS_PER_IP: '100000',
  HELP_PER_IP: '100000',
  NOT_FOUND_PER_IP: '100000',
  MAILS_PER_ADDRESS_PER_DAY: '100000',
  LOGIN_ATTEMPTS_PER_IP: '100000',
} as const;

export interface TestClave extends Clave {
  dispose(): Promise<void>;
}

/** A whole Clave on the given backend, with the built-in mail catcher, not listening. */
export async function startTestClave(backend: Backend, env: Record<string, string> = {}, overrides: ClaveOverrides = {}): Promise<TestClave> {
  const opened = await backend.open();
  const clave = await createClave(loadConfig({ ...TEST_ENV, ...env }), { database: opened.db, ...overrides });
  return {
    ...clave,
    async dispose() {
      await clave.close();
      await opened.dispose();
    },
  };
}

/** Serves the app on a free loopback port (for browsers and real HTTP); returns its base URL. */
export async function listenOnLoopback(clave: Clave): Promise<string> {
  await clave.web.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(clave.web.server.address() as { port: number }).port}`;
}
