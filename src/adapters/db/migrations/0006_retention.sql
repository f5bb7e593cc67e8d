-- The retention purge (adapters/db/retention.ts) finds what has stopped mattering by
-- these columns. Each is set once when its row is written, so updates stay HOT where
-- they were (a flow's expires_at moves with its state; its created_at does not).
CREATE INDEX recovery_flows_by_creation ON recovery_flows (created_at);
CREATE INDEX tokens_by_expiry ON tokens (expires_at);
CREATE INDEX sessions_by_absolute_expiry ON sessions (absolute_expires_at);
CREATE INDEX identity_failures_by_time ON identity_failures (failed_at);
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
