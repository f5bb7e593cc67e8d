import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { demoAffiliate, NOT_IN_DEMO_REGISTRY, showcaseAffiliates, unverifiedAffiliate, type DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { registryReader } from '../../src/adapters/db/registry-reader.ts';
import { samplePoints, splitSamples } from '../../src/domain/kba-draws.ts';
import { buildQuestions } from '../../src/domain/knowledge-questions.ts';
import type { FlowKind } from '../../src/domain/flow.ts';
import { kbaReferenceYear } from '../../src/services/recovery/reference-year.ts';
import { loadDemoRegistryOnce, DEMO_AFFILIATES } from '../../src/demo.ts';
import type { Clave } from '../../src/app.ts';
import { solveCaptcha } from './captcha.ts';

/** Loads the 60-person demo registry (the same one `npm start` loads). */
export async function loadDemoRegistry(clave: Clave): Promise<void> {
  await loadDemoRegistryOnce(clave.registry, clave.settings, new Date());
}

/** Demo people with verified contact data and two or more employers. */
export function verifiedPeople(): DemoAffiliate[] {
  return showcaseAffiliates(DEMO_AFFILIATES);
}

/** Verified people with an address, in registry order. */
export function mailablePeople(count: number): DemoAffiliate[] {
  const people: DemoAffiliate[] = [];
  for (let i = 0; people.length < count && i < DEMO_AFFILIATES; i++) {
    const person = demoAffiliate(i);
    if (person.affiliate.datosVerificados && person.affiliate.correo) people.push(person);
  }
  assert.equal(people.length, count, 'the demo registry has enough verified people');
  return people;
}

/** A demo person whose contact data was never verified at an agency. */
export function unverifiedPerson(): DemoAffiliate {
  const person = unverifiedAffiliate(DEMO_AFFILIATES);
  if (!person) throw new Error('the demo registry has no unverified person');
  return person;
}

/** A valid cédula that is not in the demo registry. */
export const UNKNOWN_CEDULA = NOT_IN_DEMO_REGISTRY;

/** The right answers, computed the way the server does (tests hold the server secret). */
export async function correctAnswers(clave: Clave, person: DemoAffiliate): Promise<Record<string, string>> {
  const { cedula } = person.affiliate;
  const identity = await registryReader(clave.db).identity(cedula, samplePoints(clave.secret, cedula), randomBytes(32));
  const samples = splitSamples(identity!.samples);
  return buildQuestions({
    secret: clave.secret,
    cedula,
    history: person.employment,
    registrySamples: samples.distractors,
    count: clave.config.limits.kbaQuestions,
    referenceYear: await kbaReferenceYear(clave.settings, new Date()),
  }).answerKey;
}

export function birthOf(person: DemoAffiliate): { birthDay: number; birthMonth: number } {
  const [, month, day] = person.affiliate.fechaNacimiento.split('-').map(Number);
  return { birthDay: day!, birthMonth: month! };
}

/** A solved CAPTCHA from the API, as the mobile app would send it. */
export async function apiCaptcha(clave: Clave): Promise<string> {
  const response = await clave.web.inject({ method: 'POST', url: '/api/v1/captcha' });
  return solveCaptcha(response.json().challenge);
}

/** The token of the newest link mailed to an address, after the outbox has been drained. */
export async function mailedToken(clave: Clave, to: string): Promise<string> {
  await clave.settle();
  const mail = clave.catcher!.list().find((m) => m.to.includes(to) && /token=/.test(m.text));
  const token = mail && /continuar\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no link mailed to ${to}`);
  return token;
}

/** Starts a flow through the API and answers its identity step with `body`; the follow-up may still be under way. */
async function answerIdentity(clave: Clave, person: DemoAffiliate, kind: FlowKind, body: (questionIds: string[]) => Promise<object>): Promise<string> {
  const post = (url: string, payload: object) => clave.web.inject({ method: 'POST', url, payload });
  const started = await post('/api/v1/flows', { kind, cedula: person.affiliate.cedula, captcha: await apiCaptcha(clave) });
  const { flowId, questions } = started.json() as { flowId: string; questions: { id: string }[] };
  const answered = await post(`/api/v1/flows/${flowId}/identity`, await body(questions.map((q) => q.id)));
  if (answered.statusCode !== 202) throw new Error(`the identity step was refused: ${answered.body}`);
  return flowId;
}

/** A flow whose identity step is answered right; returns its id. */
export function verifyIdentity(clave: Clave, person: DemoAffiliate, kind: FlowKind = 'recover'): Promise<string> {
  return answerIdentity(clave, person, kind, async () => ({ ...birthOf(person), answers: await correctAnswers(clave, person) }));
}

/** A Recuperar flow whose identity step is answered wrong (the birth month is off by one); returns its id. */
export function answerWrongly(clave: Clave, person: DemoAffiliate): Promise<string> {
  const { birthDay, birthMonth } = birthOf(person);
  return answerIdentity(clave, person, 'recover', async (questionIds) => ({ birthDay, birthMonth: (birthMonth % 12) + 1, answers: Object.fromEntries(questionIds.map((id) => [id, 'none'])) }));
}

/** Generar through the API from start to finish: the person ends with `password` as their clave. */
export async function giveClave(clave: Clave, person: DemoAffiliate, password: string, kind: 'generate' | 'recover' = 'generate'): Promise<void> {
  const post = (url: string, payload: object, headers: Record<string, string> = {}) => clave.web.inject({ method: 'POST', url, payload, headers });
  const flowId = await verifyIdentity(clave, person, kind);
  const redeemed = await post('/api/v1/tokens/redeem', { token: await mailedToken(clave, person.affiliate.correo!) });
  const done = await post(`/api/v1/flows/${flowId}/password`, { password, confirmation: password }, { authorization: `Bearer ${redeemed.json().resetToken}` });
  if (done.statusCode !== 200) throw new Error(`could not set the clave: ${done.body}`);
}
