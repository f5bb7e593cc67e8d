-- A sign-in and a change in Mi cuenta act only if the clave they verified is still the
-- account's. Comparing hashes made a re-hash under new argon2id settings look like a new
-- clave (0009 kept the replaced hash to cope, which left the weaker hash at rest); a count
-- that only a new clave moves says exactly that.
ALTER TABLE accounts DROP COLUMN rehashed_from;
ALTER TABLE accounts ADD COLUMN clave_version integer NOT NULL DEFAULT 0;
