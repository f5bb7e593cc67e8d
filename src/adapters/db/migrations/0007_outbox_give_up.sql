-- A message that can no longer help is given up rather than retried for ever: a link mail
-- still undelivered when its link expires (deliver_by), or a mail whose recipient the
-- server says does not exist. Its body (which may hold a link's token) is dropped then,
-- as on delivery, and an audit event says so.
ALTER TABLE outbox
  ADD COLUMN deliver_by  timestamptz,
  ADD COLUMN given_up_at timestamptz,
  ADD CHECK (sent_at IS NULL OR given_up_at IS NULL);
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (available_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
-- For the retention purge.
CREATE INDEX outbox_given_up ON outbox (given_up_at) WHERE given_up_at IS NOT NULL;
