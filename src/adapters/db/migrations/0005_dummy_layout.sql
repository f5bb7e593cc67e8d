-- Which argon2id settings a cédula without a clave is verified under at Ingresar
-- (src/domain/dummy-layout.ts): one row, shared by every instance, so that they agree and
-- each layout follows from the one before it.
CREATE TABLE dummy_hash_layout (
  id          int PRIMARY KEY CHECK (id = 1),
  settings    text[] NOT NULL,
  -- One byte per bucket: the index in `settings` of the bucket's owner.
  buckets     bytea NOT NULL,
  counted_at  timestamptz NOT NULL
);
