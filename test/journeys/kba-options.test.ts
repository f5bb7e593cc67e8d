import { describe, test, before, after } from 'node:test';
import { withoutLegalForm } from '../../src/domain/kba-draws.ts';
import assert from 'node:assert/strict';
import type { AffiliateRecord, EmploymentRecord } from '../../src/domain/registry.ts';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock } from '../support/clock.ts';
import { apiCaptcha } from '../support/journey.ts';
import { cedula } from '../support/kba-fixtures.ts';

/**
 * The options an attacker sees for many cédulas, through the API, against a registry with
 * more employers than any fixed pool would hold: no employer, spelling or calendar date
 * may tell a real affiliate's answers from what everyone else is shown.
 */

const FILLERS = 300;
const JOBS_EACH = 7;
const UNKNOWN = 300;
/** Sorts after every other RUC: outside any pool read in RUC order. */
const LAST = { ruc: '9999999999001', name: 'Zeta Última S.A.' };
const FIRST = { ruc: '0100000000001', name: 'Alfa Primera S.A.' };
const ODD = { ruc: '1791111111001', shown: 'Acme Ecuador S.A.', spelt: 'ACME ECUADOR SOCIEDAD ANONIMA' };

const person = (n: number): AffiliateRecord => ({
  cedula: cedula(n),
  nombres: 'Ana',
  apellidos: 'Prueba',
  fechaNacimiento: '1980-05-05',
  correo: `p${n}@example.com`,
  celular: null,
  datosVerificados: true,
});
const job = (n: number, ruc: string, empleador: string, fechaInicio: string): EmploymentRecord => ({ cedula: cedula(n), rucEmpleador: ruc, empleador, fechaInicio, fechaFin: null });

/** 2,100 small employers with a row each, FIRST and LAST with 100 rows each, and one person whose row spells their employer otherwise. */
async function loadRegistry(clave: TestClave): Promise<void> {
  await clave.registry.upsertAffiliates([...Array.from({ length: FILLERS }, (_, n) => person(n)), person(FILLERS)]);
  const jobs: EmploymentRecord[] = [];
  for (let n = 0; n < FILLERS; n++) {
    for (let j = 0; j < JOBS_EACH; j++) {
      const e = n * JOBS_EACH + j;
      jobs.push(job(n, `17${String(e).padStart(8, '0')}001`, `Empresa ${String(e).padStart(4, '0')} Cía. Ltda.`, `${1990 + j * 4}-02-01`));
    }
    if (n < 100) jobs.push(job(n, LAST.ruc, LAST.name, '2025-03-01'));
    else if (n < 200) jobs.push(job(n, FIRST.ruc, FIRST.name, '2025-03-01'));
  }
  jobs.push(job(FILLERS, ODD.ruc, ODD.shown, '2025-06-01'));
  await clave.registry.upsertEmployment(jobs);
  // The registry's employment row spells it otherwise than the employers table does.
  await clave.db.query('UPDATE employment SET empleador = $1 WHERE ruc_empleador = $2', [ODD.spelt, ODD.ruc]);
}

async function options(clave: TestClave, c: string): Promise<{ texts: string[]; questions: unknown }> {
  const started = await clave.web.inject({ method: 'POST', url: '/api/v1/flows', payload: { kind: 'recover', cedula: c, captcha: await apiCaptcha(clave) } });
  assert.equal(started.statusCode, 201, started.body);
  const { questions } = started.json() as { questions: { options: { text: string }[] }[] };
  return { texts: questions.flatMap((q) => q.options.map((o) => o.text)), questions };
}

for (const backend of backends()) {
  describe(`knowledge-question options on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock(Date.parse('2026-12-31T23:30:00Z'));

    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000' }, { clock: clock.now });
      await loadRegistry(clave);
    });
    after(async () => clave.dispose());

    test('an employer whose RUC sorts last is shown to other cédulas as often as one that sorts first', async () => {
      const shown = { [FIRST.name]: 0, [LAST.name]: 0 };
      for (let i = 0; i < UNKNOWN; i++) {
        const { texts } = await options(clave, cedula(500_000 + i));
        for (const name of [FIRST.name, LAST.name]) if (texts.includes(withoutLegalForm(name))) shown[name]! += 1;
      }
      // Each has 100 of 2,300 employment rows: about a third of the cédulas see each.
      const [first, last] = [shown[FIRST.name]!, shown[LAST.name]!];
      assert.ok(last >= UNKNOWN * 0.1 && first >= UNKNOWN * 0.1, `shown to ${first} and ${last} of ${UNKNOWN}`);
      assert.ok(last < first * 2 && first < last * 2, `shown to ${first} and ${last} of ${UNKNOWN}`);
    });

    test('names shown are the employers table spelling, even where employment spells it otherwise', async () => {
      const { texts } = await options(clave, cedula(FILLERS));
      assert.ok(texts.includes(withoutLegalForm(ODD.shown)), texts.join(' | '));
      assert.ok(!texts.some((text) => text.startsWith('ACME ECUADOR')), 'the employers table spelling, not employment\'s');
    });

    test('options stay the same across New Year for unknown and for real cédulas', async () => {
      const cedulas = [cedula(FILLERS), cedula(7), ...Array.from({ length: 20 }, (_, i) => cedula(600_000 + i))];
      const before = await Promise.all(cedulas.map((c) => options(clave, c)));
      clock.advance(60 * 60_000); // 2027-01-01T00:30Z
      try {
        const after = await Promise.all(cedulas.map((c) => options(clave, c)));
        const moved = cedulas.filter((_, i) => JSON.stringify(after[i]!.questions) !== JSON.stringify(before[i]!.questions));
        assert.deepEqual(moved, [], 'options that moved with the calendar');
      } finally {
        clock.advance(-60 * 60_000);
      }
    });
  });
}
