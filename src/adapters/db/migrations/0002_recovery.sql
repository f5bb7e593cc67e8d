-- CAPTCHA solutions are accepted once: the hash of each accepted challenge is kept
-- until the challenge would have expired anyway.
CREATE TABLE captcha_uses (
  challenge_hash bytea PRIMARY KEY CHECK (octet_length(challenge_hash) = 32),
  expires_at     timestamptz NOT NULL
);
CREATE INDEX captcha_uses_by_expiry ON captcha_uses (expires_at);

-- Failed identity checks, per cédula (as an HMAC reference), for the 24-hour limit.
CREATE TABLE identity_failures (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cedula_ref bytea NOT NULL,
  failed_at  timestamptz NOT NULL
);
CREATE INDEX identity_failures_by_cedula ON identity_failures (cedula_ref, failed_at DESC);

-- Recovery mail (links, failure notices) is limited per cédula; security notices are not.
ALTER TABLE outbox
  ADD COLUMN cedula_ref bytea,
  ADD COLUMN category text NOT NULL DEFAULT 'security' CHECK (category IN ('recovery', 'security'));
CREATE INDEX outbox_recovery_by_cedula ON outbox (cedula_ref, created_at DESC) WHERE category = 'recovery';

-- Employers by RUC: the pool that knowledge-question distractors are drawn from.
-- Kept by the registry import, so reading the pool never scans the employment table.
CREATE TABLE employers (
  ruc_empleador text PRIMARY KEY,
  empleador     text NOT NULL
);
INSERT INTO employers (ruc_empleador, empleador)
  SELECT DISTINCT ON (ruc_empleador) ruc_empleador, empleador FROM employment ORDER BY ruc_empleador, fecha_inicio DESC;
