-- Consecutive failed logins per cédula (as an HMAC reference), counted whether or not
-- the cédula has an account, so "locked" appears after the same number of failures
-- for everyone and reveals nothing.
CREATE TABLE login_failures (
  cedula_ref     bytea PRIMARY KEY,
  failures       integer NOT NULL CHECK (failures >= 0),
  last_failed_at timestamptz NOT NULL
);
