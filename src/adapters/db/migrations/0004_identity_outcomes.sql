-- The verdict of an identity step, written in the same transaction that answers the
-- person. What follows from it (a link, a failure notice) is worked out from this row
-- afterwards, by whichever instance gets to it first, so the answer never waits for it
-- and a crash in between loses nothing.
CREATE TABLE identity_outcomes (
  flow_id         uuid PRIMARY KEY REFERENCES recovery_flows (id) ON DELETE CASCADE,
  verdict         text NOT NULL CHECK (verdict IN ('verified', 'failed', 'not_eligible')),
  submitted_at    timestamptz NOT NULL,
  link_expires_at timestamptz NOT NULL,
  ip              text,
  user_agent      text,
  processed_at    timestamptz
);
CREATE INDEX identity_outcomes_pending ON identity_outcomes (submitted_at) WHERE processed_at IS NULL;
