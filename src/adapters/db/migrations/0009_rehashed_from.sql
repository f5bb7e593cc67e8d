-- A sign-in that verified the hash a re-hash (new argon2id settings, done after another
-- sign-in) has just replaced is still a sign-in with the right clave: the replaced hash is
-- kept beside the new one until the clave itself changes.
ALTER TABLE accounts ADD COLUMN rehashed_from text;
