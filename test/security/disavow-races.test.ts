import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { backends } from '../support/backends.ts';
import { startTestClave, type TestClave } from '../support/clave.ts';
import { testClock, MINUTE } from '../support/clock.ts';
import { giveClave, loadDemoRegistry, mailablePeople, mailedToken, verifyIdentity } from '../support/journey.ts';
import type { DemoAffiliate } from '../../src/adapters/registry/demo-registry.ts';

/**
 * "No fui yo" pressed at the moment a link of the same cédula is redeemed, or a new clave
 * set: both sides take the link's token and the account row, and in opposite orders they
 * deadlocked (PostgreSQL aborted one: a 500, and sometimes the account stayed unlocked).
 * Found by a security review; PGlite runs one transaction at a time, so it runs there too
 * but races only on PostgreSQL.
 */
for (const backend of backends()) {
  describe(`"No fui yo" racing a redeemed link or a new clave on ${backend.name}`, () => {
    let clave: TestClave;
    const clock = testClock();
    const client = { ip: '192.0.2.1', userAgent: 'race' };
    const [unlockers, changers] = [mailablePeople(24).slice(0, 12), mailablePeople(24).slice(12, 24)];
    before(async () => {
      clave = await startTestClave(backend, { CAPTCHA_MAX_NUMBER: '1000', EMAILS_PER_CEDULA_PER_DAY: '100' }, { clock: clock.now });
      await loadDemoRegistry(clave);
    });
    after(async () => clave.dispose());

    /** A person with a clave, their notice's "No fui yo" token, and a newer link mailed to them. */
    async function withDisavowAndLink(person: DemoAffiliate, kind: 'unlock' | 'recover') {
      clock.advance(2 * MINUTE);
      await giveClave(clave, person, 'lluvia-Verde-31-monte');
      await clave.settle();
      const notice = clave.catcher!.list().find((m) => m.to.includes(person.affiliate.correo!) && /no-fui-yo\?token=/.test(m.text))!;
      const disavow = /no-fui-yo\?token=([A-Za-z0-9_-]{43})/.exec(notice.text)![1]!;
      clock.advance(2 * MINUTE);
      const flowId = await verifyIdentity(clave, person, kind);
      return { disavow, flowId, link: await mailedToken(clave, person.affiliate.correo!) };
    }

    const failure = (settled: PromiseSettledResult<unknown>) => (settled.status === 'rejected' ? String((settled.reason as { code?: string }).code ?? settled.reason) : 'ok');
    const accountOf = async (person: DemoAffiliate) =>
      (await clave.db.query<{ status: string; disowned: boolean }>('SELECT status, disowned_at IS NOT NULL AS disowned FROM accounts WHERE cedula = $1', [person.affiliate.cedula]))[0]!;

    test('with a Desbloquear link: "No fui yo" always ends locked and disowned, and neither side fails', async () => {
      for (const person of unlockers) {
        const { disavow, link } = await withDisavowAndLink(person, 'unlock');
        const [redeemed, disowned] = await Promise.allSettled([clave.recovery.redeemLink(link, client), clave.recovery.disavowChange(disavow, client)]);
        assert.equal(failure(disowned), 'ok');
        assert.match(failure(redeemed), /^(ok|CLV-021)$/, 'the link either went first or was revoked');
        assert.deepEqual(await accountOf(person), { status: 'locked', disowned: true });
      }
    });

    test('with a new clave being set: neither side fails, and "No fui yo" wins', async () => {
      for (const [i, person] of changers.entries()) {
        const { disavow, flowId, link } = await withDisavowAndLink(person, 'recover');
        const redeemed = await clave.recovery.redeemLink(link, client);
        assert.equal(redeemed.step, 'set_password');
        const resetToken = redeemed.step === 'set_password' ? redeemed.resetToken : '';
        const [set, disowned] = await Promise.allSettled([
          clave.recovery.setNewPassword(flowId, resetToken, 'otoño-Claro-58-rio', 'otoño-Claro-58-rio', client),
          sleep((i % 6) * 4).then(() => clave.recovery.disavowChange(disavow, client)),
        ]);
        assert.equal(failure(disowned), 'ok');
        assert.match(failure(set), /^(ok|CLV-050)$/, 'the clave was set first, or its reset session was ended');
        assert.deepEqual(await accountOf(person), { status: 'locked', disowned: true });
      }
    });
  });
}
