// Steps of a recovery journey through API v1, shared by the recovery benches.
import { demoAffiliate, type DemoAffiliate } from '../src/adapters/registry/demo-registry.ts';
import type { TestClave } from '../test/support/clave.ts';
import { solveCaptcha } from '../test/support/captcha.ts';
import { REGISTRY } from './support.ts';

/** People of the loaded registry who can receive mail and be asked about at least one employer. */
export function eligiblePeople(): DemoAffiliate[] {
  const people: DemoAffiliate[] = [];
  for (let i = 0; i < REGISTRY; i++) {
    const person = demoAffiliate(i);
    if (person.affiliate.datosVerificados && person.affiliate.correo && person.employment.length >= 1) people.push(person);
  }
  return people;
}

export interface StartedFlow {
  flowId: string;
  questions: { id: string; options: { id: string }[] }[];
}

/** A CAPTCHA fetched from the API and solved the way the widget does it: done before any timing. */
export async function solvedCaptcha(clave: TestClave): Promise<string> {
  const response = await clave.web.inject({ method: 'POST', url: '/api/v1/captcha' });
  return solveCaptcha(response.json().challenge);
}

export const post = (clave: TestClave, url: string, payload: object, headers: Record<string, string> = {}) => clave.web.inject({ method: 'POST', url, payload, headers });

export async function startFlow(clave: TestClave, cedula: string, captcha: string): Promise<StartedFlow> {
  const response = await post(clave, '/api/v1/flows', { kind: 'recover', cedula, captcha });
  if (response.statusCode !== 201) throw new Error(`POST /api/v1/flows: ${response.statusCode} ${response.body}`);
  return response.json();
}
