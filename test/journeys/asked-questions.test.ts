import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { apiCaptcha, birthOf, correctAnswers, loadDemoRegistry, mailablePeople, mailedToken, UNKNOWN_CEDULA } from '../support/journey.ts';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';

/** Two jobs an import could add: one before the person's first and one after their last (but not after the reference year). */
function jobsAround(person: DemoAffiliate) {
  const starts = person.employment.map((job) => job.fechaInicio).sort();
  const firstYear = Number(starts[0]!.slice(0, 4));
  const lastYear = Number(starts.at(-1)!.slice(0, 4));
  const job = (ruc: string, empleador: string, year: number) => ({ cedula: person.affiliate.cedula, rucEmpleador: ruc, empleador, fechaInicio: `${year}-03-01`, fechaFin: `${year}-09-30` });
  return [job('0990000001001', 'HACIENDA LA PRIMERA S.A.', firstYear - 2), job('0990000002001', 'TALLERES EL ULTIMO CIA. LTDA.', Math.min(lastYear + 1, new Date().getFullYear() - 1))];
}

for (const backend of backends()) {
  describe(`a flow keeps the questions it asked, on ${backend.name}`, () => {
    let clave: TestClave;
    const [first, second] = mailablePeople(12).slice(10) as [DemoAffiliate, DemoAffiliate];

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000' });
      await loadDemoRegistry(clave);
    });
    after(async () => clave.dispose());

    const post = (url: string, payload: object) => clave.web.inject({ method: 'POST', url, payload });

    async function storedQuestions(flowId: string): Promise<unknown> {
      const [flow] = await clave.db.query<{ questions: unknown }>('SELECT questions FROM recovery_flows WHERE id = $1', [flowId]);
      return flow!.questions;
    }

    async function startFlow(person: DemoAffiliate): Promise<string> {
      const started = await post('/api/v1/flows', { kind: 'recover', cedula: person.affiliate.cedula, captcha: await apiCaptcha(clave) });
      assert.equal(started.statusCode, 201, started.body);
      return started.json().flowId;
    }

    test('the answers to the questions shown still count after an import changed the history behind them', async () => {
      const older = await startFlow(first);
      const flowId = await startFlow(first);
      const shown = await correctAnswers(clave, first);
      const added = jobsAround(first);
      for (const job of added) {
        await clave.db.query('INSERT INTO employers (ruc_empleador, empleador) VALUES ($1, $2)', [job.rucEmpleador, job.empleador]);
        await clave.db.query('INSERT INTO employment (cedula, ruc_empleador, empleador, fecha_inicio, fecha_fin) VALUES ($1, $2, $3, $4, $5)', [job.cedula, job.rucEmpleador, job.empleador, job.fechaInicio, job.fechaFin]);
      }
      // Questions built afresh from the registry would now want other answers.
      assert.notDeepEqual(await correctAnswers(clave, { ...first, employment: [...first.employment, ...added] }), shown);
      const answered = await post(`/api/v1/flows/${flowId}/identity`, { ...birthOf(first), answers: shown });
      assert.equal(answered.statusCode, 202, answered.body);
      assert.match(await mailedToken(clave, first.affiliate.correo!), /^[A-Za-z0-9_-]{43}$/, 'the link came, not a CLV-010 notice');
      // The answer key (the person's employers and years) is kept no longer than the step that needs it.
      assert.equal(await storedQuestions(flowId), null, 'answered');
      assert.notEqual(await storedQuestions(older), null, 'a request still at its identity step goes on after a newer one got its link, and keeps what it asked');
    });

    test('a replayed CAPTCHA is refused (CLV-003) without the registry read the questions need, for any cédula', async () => {
      const captcha = await apiCaptcha(clave);
      assert.equal((await post('/api/v1/flows', { kind: 'recover', cedula: first.affiliate.cedula, captcha })).statusCode, 201);
      const reads: { text: string; params: readonly unknown[] }[] = [];
      const query = clave.db.query.bind(clave.db);
      clave.db.query = ((text: string, params: readonly unknown[] = []) => {
        if (text.includes('sample_key')) reads.push({ text, params });
        return query(text, params);
      }) as typeof clave.db.query;
      try {
        for (const cedula of [first.affiliate.cedula, UNKNOWN_CEDULA]) assert.equal((await post('/api/v1/flows', { kind: 'recover', cedula, captcha })).json().error.code, 'CLV-003');
      } finally {
        clave.db.query = query;
      }
      assert.equal(reads.length, 2, 'one look each');
      for (const { text, params } of reads) {
        const [{ 'QUERY PLAN': plan }] = (await clave.db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params)) as [{ 'QUERY PLAN': unknown }];
        const employmentLoops = JSON.stringify(plan).match(/"Relation Name":"employment"[^{}]*?"Actual Loops":\d+/g) ?? [];
        assert.ok(employmentLoops.length > 0, 'the plan reaches employment');
        for (const node of employmentLoops) assert.match(node, /"Actual Loops":0$/, 'no employment row read for a replay');
      }
      const [audited] = await clave.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_events WHERE event = 'captcha' AND outcome = 'replayed'");
      assert.equal(audited!.n, 2, 'both replays audited');
    });

    test('a flow opened by a release that kept no questions is started again (CLV-050); nothing is counted or sent', async () => {
      const flowId = await startFlow(second);
      await clave.db.query('UPDATE recovery_flows SET questions = NULL WHERE id = $1', [flowId]);
      const page = await clave.web.inject({ method: 'GET', url: `/clave/flujo/${flowId}/identidad` });
      assert.match(page.body, /CLV-050/);
      const answered = await post(`/api/v1/flows/${flowId}/identity`, { ...birthOf(second), answers: await correctAnswers(clave, second) });
      assert.equal(answered.statusCode, 410, answered.body);
      assert.equal(answered.json().error.code, 'CLV-050');
      await clave.settle();
      assert.equal(clave.catcher!.list().filter((mail) => mail.to.includes(second.affiliate.correo!)).length, 0);
      const [failures] = await clave.db.query<{ count: number }>('SELECT count(*)::int AS count FROM identity_failures');
      assert.equal(failures!.count, 0);
    });
  });
}
