import type { Clave, ClaveOverrides } from '../../src/app.ts';
import { createClave } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Backend } from './backends.ts';

export const TEST_ENV = {
  NODE_ENV: 'test',
  DATABASE_URL: 'memory://',
  LOG_LEVEL: 'silent',
  INSTITUTE_NAME: 'Instituto de Prueba',
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
