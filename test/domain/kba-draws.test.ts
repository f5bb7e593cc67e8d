import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import { DECOY_DRAWS, DISTRACTOR_DRAWS, EmployerSource, KeyedOrder, SYNTHETIC_EMPLOYERS, nameKey, samplePoints } from '../../src/domain/kba-draws.ts';

/**
 * The keyed order the synthetic padding is taken in. What people have been shown must not
 * change with a new version, so it is pinned here against the rule it implements: AES-128
 * of each name's truncated SHA-256 under the key, 6 + 6 bytes compared as numbers, then
 * the name. Then the sample points and how samples become distractors.
 */

const keyFor = (label: string) => createHash('sha256').update(label).digest();

function specifiedOrder(key: Buffer, names: readonly string[]): string[] {
  return names
    .map((name) => {
      const cipher = createCipheriv('aes-128-ecb', key.subarray(0, 16), null).setAutoPadding(false);
      const rank = cipher.update(createHash('sha256').update(name, 'utf8').digest().subarray(0, 16));
      return { name, high: rank.readUIntBE(0, 6), low: rank.readUIntBE(6, 6) };
    })
    .sort((a, b) => a.high - b.high || a.low - b.low || (a.name < b.name ? -1 : 1))
    .map((entry) => entry.name);
}

function drained(order: KeyedOrder): string[] {
  const names: string[] = [];
  for (let name = order.next(); name !== undefined; name = order.next()) names.push(name);
  return names;
}

test('the keyed order hands out every name once, in the specified order, for pools of any size', () => {
  for (const size of [0, 1, 2, 3, 7, 64, 301, 2000]) {
    for (const label of ['a', 'b', 'c']) {
      const names = Array.from({ length: size }, (_, i) => `Empresa ${(i * 7919) % 10007} ${label === 'c' ? 'Cía. Ltda.' : 'S.A.'}`);
      const key = keyFor(`${label}-${size}`);
      assert.deepEqual(drained(new KeyedOrder(key, names)), specifiedOrder(key, names), `${size} names, key ${label}`);
    }
  }
});

test('the keyed order is the one people were shown before it was computed lazily', () => {
  // Taken from the version that sorted the whole pool on every question set.
  const names = Array.from({ length: 300 }, (_, i) => `Empleador ${i} Cía. Ltda.`);
  const order = drained(new KeyedOrder(keyFor('golden-key'), names));
  assert.deepEqual(order.slice(0, 6), ['Empleador 29 Cía. Ltda.', 'Empleador 239 Cía. Ltda.', 'Empleador 242 Cía. Ltda.', 'Empleador 177 Cía. Ltda.', 'Empleador 257 Cía. Ltda.', 'Empleador 58 Cía. Ltda.']);
  assert.equal(createHash('sha256').update(JSON.stringify(order)).digest('hex'), '58aa065a0082bf2706aa90f63cbafed8bd263afdb9ceb896a9d42d6cbd57c47e');
});

test('taking a few names leaves the rest in order', () => {
  const names = Array.from({ length: 50 }, (_, i) => `Empresa ${i}`);
  const key = keyFor('partial');
  const order = new KeyedOrder(key, names);
  const first = [order.next(), order.next(), order.next()];
  assert.deepEqual([...first, ...drained(order)], specifiedOrder(key, names));
  assert.equal(order.next(), undefined);
});

test('sample points: on the ring, the same on every call, a secret and a cédula of their own', () => {
  const points = samplePoints('secret', '1710034065');
  assert.equal(points.length, DECOY_DRAWS + DISTRACTOR_DRAWS);
  for (const point of points) assert.ok(point >= 0n && point < 2n ** 63n);
  assert.deepEqual(samplePoints('secret', '1710034065'), points);
  assert.equal(new Set(points).size, points.length, 'the decoy and distractor points are distinct draws');
  assert.notDeepEqual(samplePoints('other', '1710034065'), points);
  assert.notDeepEqual(samplePoints('secret', '0926687856'), points);
});

test('employer sources take samples in draw order, skipping blanks, repeats and excluded names, then padding', () => {
  // A legal form, accents or capitals do not make another employer: nobody remembers them.
  const source = new EmployerSource(keyFor('pad'), ['', 'Beta S.A.', ' beta  s.a.', 'BETA C.A.', 'Alfa S.A.', 'ALFÁ C.A.', 'Gamma S.A.'], new Set([nameKey('Alfa Cía. Ltda.')]));
  assert.deepEqual([source.take(), source.take()], ['Beta S.A.', 'Gamma S.A.']);
  assert.ok(SYNTHETIC_EMPLOYERS.includes(source.take()));
});
