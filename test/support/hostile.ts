import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/adapters/logger.ts';
import { demoAffiliate, type DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';
import { cedulaCheckDigit } from '../../src/domain/cedula.ts';
import { DEMO_AFFILIATES } from '../../src/demo.ts';
import { backends } from './backends.ts';
import { csrfToken, PageClient } from './browserless.ts';
import { startTestClave, type TestClave } from './clave.ts';
import { STRONG, type Fixtures } from './hostile-generate.ts';
import { apiCaptcha, birthOf, correctAnswers, giveClave, loadDemoRegistry, mailedToken, UNKNOWN_CEDULA } from './journey.ts';

/**
 * The app the hostile-input tests (test/security/hostile-input-*.test.ts) run against: the
 * demo registry plus a person whose registry data is markup, a log kept in memory, and
 * whatever the process leaves unhandled; and the real ids, tokens and cookies the storm uses.
 */

/** A valid cédula that no demo person has: province 17, then digits from `n`. */
function freshCedula(n: number): string {
  const nine = `17${String(9_900_000 + n).padStart(7, '0')}`;
  return `${nine}${cedulaCheckDigit(nine)}`;
}

/** Verified demo people with an e-mail and two or more employers, beyond the showcase three. */
function verifiedDemoPeople(count: number): DemoAffiliate[] {
  const people: DemoAffiliate[] = [];
  for (let i = 0; i < DEMO_AFFILIATES && people.length < count; i++) {
    const person = demoAffiliate(i);
    if (person.affiliate.datosVerificados && person.affiliate.correo && person.employment.length >= 2) people.push(person);
  }
  assert.equal(people.length, count, 'the demo registry has too few verified people');
  return people;
}

export const xss = {
  name: '<script>alert(1)</script> Ana',
  surname: '"\'><img src=x onerror=alert(1)>',
  employer: '<script>alert(2)</script> Comercial S.A.',
  employer2: 'Fábrica "\'><img src=x onerror=alert(3)> Cía. Ltda.',
  agent: '<script>alert(4)</script> Navegador "\'><img src=x onerror=alert(5)>',
};
export const xssCedula = freshCedula(1);
export const xssPerson: DemoAffiliate = {
  affiliate: { cedula: xssCedula, nombres: xss.name, apellidos: xss.surname, fechaNacimiento: '1985-03-14', correo: 'marcado.prueba@example.com', celular: null, datosVerificados: true },
  employment: [
    { cedula: xssCedula, rucEmpleador: '1799999990001', empleador: xss.employer, fechaInicio: '2008-02-01', fechaFin: '2015-06-30' },
    { cedula: xssCedula, rucEmpleador: '1799999991001', empleador: xss.employer2, fechaInicio: '2015-07-01', fechaFin: null },
  ],
};

export interface HostileClave {
  clave: TestClave;
  /** Unhandled rejections and uncaught exceptions, with their stacks. */
  unhandled: string[];
  /** Error lines from the app's log, with the request and stack they carry. */
  errorLogs(): string[];
  /** The same failure logged many times is shown once, with its count and first stack. */
  groupedErrorLogs(): string[];
}

/** Starts the app for the enclosing describe (and stops it after); its fields are set once `before` has run. */
export function useHostileClave(): HostileClave {
  const logLines: string[] = [];
  const unhandled: string[] = [];
  const onRejection = (reason: unknown) => unhandled.push(`unhandledRejection: ${(reason as Error)?.stack ?? String(reason)}`);
  const onException = (error: Error) => unhandled.push(`uncaughtException: ${error.stack ?? String(error)}`);
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });

  function errorLogs(): string[] {
    return logLines
      .flatMap((line) => line.split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as { level: number; msg?: string; req?: { url?: string; method?: string }; err?: { stack?: string; message?: string }; reqId?: string })
      .filter((entry) => entry.level >= 50)
      .map((entry) => `${entry.msg} ${entry.reqId ?? ''} ${entry.req ? `${entry.req.method} ${entry.req.url}` : ''}\n${entry.err?.stack ?? entry.err?.message ?? JSON.stringify(entry)}`);
  }

  function groupedErrorLogs(): string[] {
    const groups = new Map<string, { count: number; example: string }>();
    for (const line of errorLogs()) {
      const [, ...rest] = line.split('\n');
      const key = rest.slice(0, 3).join('\n');
      const group = groups.get(key) ?? { count: 0, example: line };
      group.count++;
      groups.set(key, group);
    }
    return [...groups.values()].map((g) => `(${g.count}×) ${g.example}`);
  }

  const app: HostileClave = { clave: undefined as unknown as TestClave, unhandled, errorLogs, groupedErrorLogs };
  before(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    app.clave = await startTestClave(backends()[0]!, { CAPTCHA_MAX_NUMBER: '1000', LOGIN_ATTEMPTS_PER_IP: '100000' }, { logger: createLogger('warn', sink) });
    await loadDemoRegistry(app.clave);
    await app.clave.registry.upsertAffiliates([xssPerson.affiliate]);
    await app.clave.registry.upsertEmployment(xssPerson.employment);
  });

  after(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    await app.clave?.dispose();
  });
  return app;
}

/** Real ids, tokens, cookies and solved CAPTCHAs, so that the storm's requests reach the handlers. */
export async function stormFixtures(clave: TestClave): Promise<Fixtures> {
  const [sessionPerson, disavowPerson, resetPerson, linkPerson, ...others] = verifiedDemoPeople(8) as [DemoAffiliate, DemoAffiliate, DemoAffiliate, DemoAffiliate, ...DemoAffiliate[]];
  await giveClave(clave, sessionPerson, STRONG);
  const login = async () => {
    const response = await clave.web.inject({ method: 'POST', url: '/api/v1/sessions', payload: { cedula: sessionPerson.affiliate.cedula, password: STRONG } });
    assert.equal(response.statusCode, 201, response.body);
    return (response.json() as { session: string }).session;
  };
  const session = await login();
  const disposableSessions: string[] = [];
  for (let i = 0; i < 6; i++) disposableSessions.push(await login());

  await giveClave(clave, disavowPerson, STRONG);
  await clave.settle();
  const changed = clave.catcher!.list().find((mail) => mail.to.includes(disavowPerson.affiliate.correo!) && /no-fui-yo\?token=/.test(mail.text));
  const disavowToken = /no-fui-yo\?token=([A-Za-z0-9_-]+)/.exec(changed?.text ?? '')?.[1];
  assert.ok(disavowToken, 'a "no fui yo" link was mailed');

  const post = (url: string, payload: object, headers: Record<string, string> = {}) => clave.web.inject({ method: 'POST', url, payload, headers });
  async function verifiedFlow(person: DemoAffiliate, kind: string) {
    const started = await post('/api/v1/flows', { kind, cedula: person.affiliate.cedula, captcha: await apiCaptcha(clave) });
    assert.equal(started.statusCode, 201, started.body);
    const { flowId } = started.json() as { flowId: string };
    const verified = await post(`/api/v1/flows/${flowId}/identity`, { ...birthOf(person), answers: await correctAnswers(clave, person) });
    assert.equal(verified.statusCode, 202, verified.body);
    return { flowId, token: await mailedToken(clave, person.affiliate.correo!) };
  }
  const reset = await verifiedFlow(resetPerson, 'generate');
  const redeemed = await post('/api/v1/tokens/redeem', { token: reset.token });
  assert.equal(redeemed.statusCode, 200, redeemed.body);
  const resetCookie = `${reset.flowId}.${(redeemed.json() as { resetToken: string }).resetToken}`;
  const { token: linkToken } = await verifiedFlow(linkPerson, 'generate');

  const flows: Fixtures['flows'] = [];
  const starters = [...others.map((p) => p.affiliate.cedula), UNKNOWN_CEDULA, freshCedula(2)];
  for (const [i, cedula] of starters.entries()) {
    const started = await post('/api/v1/flows', { kind: ['generate', 'recover', 'unlock'][i % 3], cedula, captcha: await apiCaptcha(clave) });
    assert.equal(started.statusCode, 201, started.body);
    const body = started.json() as { flowId: string; questions: { id: string; options: { id: string }[] }[] };
    flows.push({ id: body.flowId, questions: body.questions.map((q) => ({ id: q.id, options: q.options.map((o) => o.id) })) });
  }
  const captchas: string[] = [];
  for (let i = 0; i < 12; i++) captchas.push(await apiCaptcha(clave));
  const csrf: Fixtures['csrf'] = [];
  for (const page of ['/clave/generar', '/ingresar', '/clave/recuperar']) {
    const browser = new PageClient(clave.web);
    const response = await browser.get(page);
    csrf.push({ secret: browser.cookie('clave_csrf')!, token: csrfToken(response.body) });
  }
  return {
    csrf,
    flows,
    captchas,
    linkToken,
    disavowToken,
    session,
    disposableSessions,
    resetCookie,
    // Never the session person's cédula: fuzzed logins must not lock the account the storm uses.
    cedulas: [disavowPerson, resetPerson, linkPerson, ...others].map((p) => p.affiliate.cedula).concat(xssCedula),
    mailIds: clave.catcher!.list().map((mail) => mail.id).slice(0, 10),
  };
}
