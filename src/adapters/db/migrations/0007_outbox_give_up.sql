-- A message that can no longer help is given up rather than retried for ever: a link mail
-- still undelivered when its link expires (deliver_by), or a mail still undelivered a day
-- on whose recipient the server then refuses as nonexistent. Its body (which may hold a link's
-- token) is dropped then, as on delivery, and an audit event says why.
ALTER TABLE outbox
  ADD COLUMN deliver_by       timestamptz,
  ADD COLUMN given_up_at      timestamptz,
  ADD COLUMN given_up_reason  text;
-- NOT VALID: checked for new and changed rows without a scan of the table under lock.
ALTER TABLE outbox ADD CONSTRAINT outbox_sent_or_given_up CHECK (sent_at IS NULL OR given_up_at IS NULL) NOT VALID;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (available_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
-- For the retention purge. IF NOT EXISTS, as in 0006, for an index built beforehand.
CREATE INDEX IF NOT EXISTS outbox_given_up ON outbox (given_up_at) WHERE given_up_at IS NOT NULL;
