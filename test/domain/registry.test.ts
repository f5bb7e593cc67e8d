import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAffiliateRow, parseEmploymentRow } from '../../src/domain/registry.ts';

const TODAY = '2026-11-24';
const affiliate = { cedula: '0130000003', nombres: 'Ana', apellidos: 'Muñoz', fecha_nacimiento: '1960-01-10', correo: '', celular: '', datos_verificados: 'si' };
const employment = { cedula: '0130000003', ruc_empleador: '1790012345001', empleador: 'Comercial Andina S.A.', fecha_inicio: '1982-03-01', fecha_fin: '' };

test('a name, employer or e-mail holding U+FFFD (a file decoded in the wrong encoding) is rejected by field', () => {
  assert.equal(parseAffiliateRow(affiliate, TODAY).ok, true);
  const cases = [
    parseAffiliateRow({ ...affiliate, apellidos: 'Mu\uFFFDoz' }, TODAY),
    parseAffiliateRow({ ...affiliate, nombres: 'Jos\uFFFD' }, TODAY),
    parseAffiliateRow({ ...affiliate, correo: 'ana.mu\uFFFDoz@correo.example' }, TODAY),
    parseEmploymentRow({ ...employment, empleador: 'Compa\uFFFDía' }, TODAY),
  ];
  assert.deepEqual(
    cases.map((result) => (result.ok ? 'loaded' : /^(\w+) contiene el carácter de reemplazo .*U\+FFFD.*UTF-8/.exec(result.reason)?.[1])),
    ['apellidos', 'nombres', 'correo', 'empleador'],
  );
});
