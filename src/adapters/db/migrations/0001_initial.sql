-- The affiliate registry, imported from the institute's systems (clave import).
CREATE TABLE affiliates (
  cedula            text PRIMARY KEY CHECK (cedula ~ '^[0-9]{10}$'),
  nombres           text NOT NULL,
  apellidos         text NOT NULL,
  fecha_nacimiento  date NOT NULL,
  correo            text,
  celular           text,
  datos_verificados boolean NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE employment (
  cedula         text NOT NULL REFERENCES affiliates (cedula) ON DELETE CASCADE,
  ruc_empleador  text NOT NULL,
  empleador      text NOT NULL,
  fecha_inicio   date NOT NULL,
  fecha_fin      date,
  PRIMARY KEY (cedula, ruc_empleador, fecha_inicio),
  CHECK (fecha_fin IS NULL OR fecha_fin >= fecha_inicio)
);
-- Distractors for the knowledge questions are drawn from other employers.
CREATE INDEX employment_by_employer ON employment (ruc_empleador);

-- One row per affiliate who has ever had a clave; no row means status "none".
CREATE TABLE accounts (
  cedula              text PRIMARY KEY REFERENCES affiliates (cedula) ON DELETE CASCADE,
  status              text NOT NULL DEFAULT 'none' CHECK (status IN ('none', 'active', 'locked')),
  password_hash       text,
  failed_logins       integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_at           timestamptz,
  kba_epoch           integer NOT NULL DEFAULT 0,
  password_changed_at timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE password_history (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cedula        text NOT NULL REFERENCES accounts (cedula) ON DELETE CASCADE,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_history_by_account ON password_history (cedula, created_at DESC);

-- A recovery flow is a persisted state machine (domain/flow.ts). The cédula may be
-- unknown to the registry (decoy flows), so it carries no foreign key.
CREATE TABLE recovery_flows (
  id                uuid PRIMARY KEY,
  kind              text NOT NULL CHECK (kind IN ('generate', 'recover', 'unlock')),
  cedula            text NOT NULL,
  state             text NOT NULL,
  locale            text NOT NULL DEFAULT 'es',
  identity_attempts integer NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  expires_at        timestamptz NOT NULL
);
CREATE INDEX recovery_flows_by_cedula ON recovery_flows (cedula, created_at DESC);

-- Links and reset sessions: only the SHA-256 of the token is stored.
CREATE TABLE tokens (
  token_hash  bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  purpose     text NOT NULL CHECK (purpose IN ('recovery_link', 'unlock_link', 'reset_session', 'disavow')),
  cedula      text NOT NULL,
  flow_id     uuid REFERENCES recovery_flows (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX tokens_live_by_cedula ON tokens (cedula) WHERE used_at IS NULL AND revoked_at IS NULL;

CREATE TABLE sessions (
  id_hash             bytea PRIMARY KEY CHECK (octet_length(id_hash) = 32),
  cedula              text NOT NULL REFERENCES accounts (cedula) ON DELETE CASCADE,
  created_at          timestamptz NOT NULL DEFAULT now(),
  last_seen_at        timestamptz NOT NULL DEFAULT now(),
  idle_expires_at     timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at          timestamptz,
  ip                  text,
  user_agent          text
);
CREATE INDEX sessions_live_by_account ON sessions (cedula) WHERE revoked_at IS NULL;

-- Everything sent is written here in the same transaction as the change that caused
-- it; a worker delivers it (FOR UPDATE SKIP LOCKED), so an SMTP outage loses nothing.
CREATE TABLE outbox (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel      text NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient    text NOT NULL,
  message      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  sent_at      timestamptz
);
CREATE INDEX outbox_pending ON outbox (available_at) WHERE sent_at IS NULL;

-- Append-only trail of every step. The cédula is kept masked for display and as an
-- HMAC reference for look-ups, never in clear.
CREATE TABLE audit_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  event         text NOT NULL,
  outcome       text NOT NULL,
  cedula_masked text,
  cedula_ref    bytea,
  flow_id       uuid,
  ip            text,
  user_agent    text,
  detail        jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_by_cedula ON audit_events (cedula_ref, occurred_at DESC);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END
$$;
CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Small facts about this installation (for example, when the demo registry was loaded).
CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
