-- Distractors and decoy employers are drawn in proportion to employment rows, the way right
-- answers occur, instead of from a fixed list of 2,000 employers: an employer outside it
-- was only ever a right answer. Every employment row holds a random point on a ring of
-- 63-bit keys; a draw takes the first row at or after a secret-keyed point
-- (adapters/db/employer-samples.ts). A row added later gets a point of its own from the
-- default, so an import moves only the draws landing on the arcs it splits, and an
-- unchanged row re-imported keeps its point.
CREATE FUNCTION random_sample_key() RETURNS bigint LANGUAGE sql VOLATILE
  AS $$ SELECT (floor(random() * 4294967296)::bigint << 31) | floor(random() * 2147483648)::bigint $$;
-- Volatile default: existing rows each get their own point as the table is rewritten.
ALTER TABLE employment ADD COLUMN sample_key bigint NOT NULL DEFAULT random_sample_key();
-- With the RUC, a draw is one index-only probe.
CREATE INDEX employment_by_sample_key ON employment (sample_key, ruc_empleador);
