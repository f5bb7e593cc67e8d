import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMailRenderer } from '../../../src/adapters/mail/renderer.ts';

const renderer = createMailRenderer({ instituteName: 'Instituto <de> Prueba', publicUrl: new URL('https://clave.example'), timeZone: 'America/Guayaquil' });
// 15:04 UTC is 10:04 in Ecuador.
const lock = { type: 'account_locked' as const, at: new Date('2026-11-24T15:04:00Z'), attempts: 5 };

test('the lock notice says when and why, with the code, the way to unlock and what to do if it was not them', () => {
  const es = renderer.render(lock, { firstName: 'Berta', locale: 'es' });
  assert.equal(es.subject, 'Su cuenta fue bloqueada (CLV-040)');
  assert.match(es.text, /^Hola, Berta/);
  assert.match(es.text, /fue bloqueada el 24 de noviembre de 2026 a las 10:04 \(hora de Ecuador\), después de 5 intentos seguidos/);
  assert.match(es.text, /https:\/\/clave\.example\/clave\/desbloquear/);
  assert.match(es.text, /Si NO fue usted.*https:\/\/clave\.example\/clave\/recuperar/);
  const en = renderer.render(lock, { firstName: 'Berta', locale: 'en' });
  assert.equal(en.subject, 'Your account was locked (CLV-040)');
  assert.match(en.text, /locked on 24 November 2026 at 10:04 \(Ecuador time\), after 5 attempts in a row/);
});

test('the lock notice escapes the institute name in HTML and has an SMS form in both languages', () => {
  const html = renderer.render(lock, { firstName: 'Berta', locale: 'es' }).html;
  assert.ok(html.includes('Instituto &lt;de&gt; Prueba') && !html.includes('<de>'));
  assert.match(renderer.renderSms(lock, 'es'), /^Instituto <de> Prueba: su cuenta fue bloqueada el 24 de noviembre de 2026 a las 10:04 .*\(CLV-040\)/);
  assert.match(renderer.renderSms(lock, 'en'), /your account was locked on 24 November 2026 at 10:04 .*\(CLV-040\)/);
});

test('times just after midnight read 00:xx, not 24:xx, in both languages', () => {
  // 05:11 UTC is 00:11 in Ecuador: with hour12 false, es-EC and en-GB wrote 24:11.
  const lockedAtMidnight = { ...lock, at: new Date('2026-11-25T05:11:00Z') };
  assert.match(renderer.render(lockedAtMidnight, { firstName: 'Berta', locale: 'es' }).text, /el 25 de noviembre de 2026 a las 00:11 \(hora de Ecuador\)/);
  assert.match(renderer.render(lockedAtMidnight, { firstName: 'Berta', locale: 'en' }).text, /on 25 November 2026 at 00:11 \(Ecuador time\)/);
});

test('the CLV-010 notice counts attempts in good Spanish, says where to start again, and speaks of no link it does not hold', () => {
  const second = renderer.render({ type: 'identity_failed', kind: 'unlock', remaining: 1 }, { firstName: 'Berta', locale: 'es' }).text;
  assert.match(second, /Le queda 1 intento en las próximas 24 horas\./);
  assert.match(second, /revise su día y mes de nacimiento y vuelva a empezar en https:\/\/clave\.example\/clave\/desbloquear/);
  assert.doesNotMatch(second, /enlace|datos laborales/);
  const first = renderer.render({ type: 'identity_failed', kind: 'recover', remaining: 2 }, { firstName: 'Berta', locale: 'es' }).text;
  assert.match(first, /Le quedan 2 intentos en las próximas 24 horas\./);
  assert.match(first, /datos laborales y vuelva a empezar en https:\/\/clave\.example\/clave\/recuperar/);
  assert.match(renderer.render({ type: 'identity_failed', kind: 'generate', remaining: 1 }, { firstName: 'Berta', locale: 'en' }).text, /You have 1 attempt left.*\n*[^]*start again at https:\/\/clave\.example\/clave\/generar/);
});

test("every address in a mail opens its page in the mail's language", () => {
  const changed = { type: 'clave_changed' as const, generated: false, at: new Date('2026-11-24T15:04:00Z'), disavowLink: `https://clave.example/clave/no-fui-yo?token=${'A'.repeat(43)}` };
  const link = { type: 'link' as const, kind: 'recover' as const, link: `https://clave.example/clave/continuar?token=${'B'.repeat(43)}`, expiresAt: new Date('2026-11-24T15:19:00Z'), ttlMinutes: 15 };
  for (const locale of ['es', 'en'] as const) {
    for (const notice of [changed, link, lock]) {
      const mail = renderer.render(notice, { firstName: 'Berta', locale });
      const addresses = [...mail.text.matchAll(/https:\/\/clave\.example\/\S*/g)].map((m) => m[0].replace(/[.,)]+$/, ''));
      assert.ok(addresses.length >= 2, `${notice.type}: ${addresses.join(' ')}`);
      for (const address of addresses) assert.equal(new URL(address).searchParams.get('lang'), locale, `${notice.type} ${locale}: ${address}`);
      assert.doesNotMatch(mail.html, /lang=(es|en)&amp;lang=/);
    }
  }
});

test('the link mail speaks of the details given, not of answers: Desbloquear asks no questions', () => {
  const unlock = { type: 'link' as const, kind: 'unlock' as const, link: `https://clave.example/clave/continuar?token=${'B'.repeat(43)}`, expiresAt: new Date('2026-11-24T15:07:00Z'), ttlMinutes: 3 };
  assert.match(renderer.render(unlock, { firstName: 'Berta', locale: 'es' }).text, /los datos que indicó coinciden con nuestros registros/);
  assert.doesNotMatch(renderer.render(unlock, { firstName: 'Berta', locale: 'es' }).text, /respuestas/);
  assert.doesNotMatch(renderer.render(unlock, { firstName: 'Berta', locale: 'en' }).text, /answers/);
  assert.doesNotMatch(renderer.render({ type: 'identity_failed', kind: 'unlock', remaining: 2 }, { firstName: 'Berta', locale: 'es' }).text, /respuestas/);
});
