import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type OpenedDatabase } from '../../support/backends.ts';
import { isFullyMigrated, loadMigrations, migrate } from '../../../src/adapters/db/migrate.ts';
import { createRegistryStore } from '../../../src/adapters/db/registry-store.ts';
import { createSettingsStore } from '../../../src/adapters/db/settings-store.ts';
import type { AffiliateRecord } from '../../../src/domain/registry.ts';

const ana: AffiliateRecord = {
  cedula: '1710034065',
  nombres: 'Ana María',
  apellidos: 'Quishpe Toapanta',
  fechaNacimiento: '1980-02-29',
  correo: 'ana@correo.example',
  celular: '+593987654321',
  datosVerificados: true,
};

// One storage contract, run on every engine the service supports.
for (const backend of backends()) {
  describe(`storage contract on ${backend.name}`, () => {
    let opened: OpenedDatabase;
    before(async () => {
      opened = await backend.open();
    });
    after(async () => opened.dispose());

    test('migrations apply once and report the schema current', async () => {
      const shipped = (await loadMigrations()).map((m) => m.version);
      assert.deepEqual(await migrate(opened.db), shipped);
      assert.deepEqual(await migrate(opened.db), []);
      assert.equal(await isFullyMigrated(opened.db), true);
    });

    test('columns no release uses any more are dropped', async () => {
      const columns = await opened.db.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' AND table_schema = current_schema()",
      );
      const names = columns.map((c) => c.column_name);
      assert.ok(names.includes('password_hash'), `the accounts table was read: ${names.join(', ')}`);
      for (const gone of ['kba_epoch', 'failed_logins']) assert.ok(!names.includes(gone), `accounts.${gone} is dropped`);
    });

    test('instances migrating at the same time do not race', async () => {
      const results = await Promise.all([migrate(opened.db), migrate(opened.db), migrate(opened.db)]);
      assert.deepEqual(results, [[], [], []]);
    });

    test('a missing migration makes the schema not current', async () => {
      const fresh = await backend.open();
      try {
        await assert.rejects(isFullyMigrated(fresh.db));
        await migrate(fresh.db);
        await fresh.db.query("DELETE FROM schema_migrations WHERE version = '0001_initial'");
        assert.equal(await isFullyMigrated(fresh.db), false);
      } finally {
        await fresh.dispose();
      }
    });

    test('affiliates upsert: inserted, then unchanged, then updated', async () => {
      const registry = createRegistryStore(opened.db);
      assert.deepEqual(await registry.upsertAffiliates([ana]), { inserted: 1, updated: 0 });
      assert.deepEqual(await registry.upsertAffiliates([ana]), { inserted: 0, updated: 0 });
      assert.deepEqual(await registry.upsertAffiliates([{ ...ana, correo: 'ana.nueva@correo.example' }]), { inserted: 0, updated: 1 });
      assert.equal(await registry.countAffiliates(), 1);
      const [row] = await opened.db.query<{ fecha_nacimiento: string; correo: string }>('SELECT fecha_nacimiento, correo FROM affiliates WHERE cedula = $1', [ana.cedula]);
      assert.deepEqual(row, { fecha_nacimiento: '1980-02-29', correo: 'ana.nueva@correo.example' });
    });

    test('null contact fields round-trip and compare as unchanged', async () => {
      const registry = createRegistryStore(opened.db);
      const noContact = { ...ana, cedula: '0926687856', correo: null, celular: null };
      assert.deepEqual(await registry.upsertAffiliates([noContact]), { inserted: 1, updated: 0 });
      assert.deepEqual(await registry.upsertAffiliates([noContact]), { inserted: 0, updated: 0 });
    });

    test('employment upsert and known cédulas', async () => {
      const registry = createRegistryStore(opened.db);
      const job = { cedula: ana.cedula, rucEmpleador: '1790012345001', empleador: 'Comercial Andina S.A.', fechaInicio: '2001-03-01', fechaFin: null };
      assert.deepEqual(await registry.upsertEmployment([job]), { inserted: 1, updated: 0 });
      assert.deepEqual(await registry.upsertEmployment([job]), { inserted: 0, updated: 0 });
      assert.deepEqual(await registry.upsertEmployment([{ ...job, fechaFin: '2010-12-31' }]), { inserted: 0, updated: 1 });
      assert.deepEqual([...(await registry.knownCedulas([ana.cedula, '0602910945']))], [ana.cedula]);
      await assert.rejects(registry.upsertEmployment([{ ...job, cedula: '0602910945' }]), 'employment needs a registered affiliate');
    });

    test('settings keep the last value', async () => {
      const settings = createSettingsStore(opened.db);
      assert.equal(await settings.get('demo'), undefined);
      await settings.set('demo', 'a');
      await settings.set('demo', 'b');
      assert.equal(await settings.get('demo'), 'b');
    });

    test('a value set once keeps the first of racing writers', async () => {
      const settings = createSettingsStore(opened.db);
      const stored = await Promise.all(['2026', '2027', '2028'].map((year) => settings.setOnce('once', year)));
      assert.equal(new Set(stored).size, 1);
      assert.equal(await settings.setOnce('once', '1999'), stored[0]);
    });

    test('audit events are append-only', async () => {
      await opened.db.query("INSERT INTO audit_events (event, outcome, cedula_masked) VALUES ('flow_started', 'ok', '17******65')");
      await assert.rejects(opened.db.query("UPDATE audit_events SET outcome = 'changed'"), /append-only/);
      await assert.rejects(opened.db.query('DELETE FROM audit_events'), /append-only/);
    });

    test('a failed transaction leaves nothing behind', async () => {
      await assert.rejects(
        opened.db.transaction(async (tx) => {
          await tx.query("INSERT INTO settings (key, value) VALUES ('half', 'done')");
          throw new Error('stop');
        }),
      );
      assert.equal(await createSettingsStore(opened.db).get('half'), undefined);
    });
  });
}
