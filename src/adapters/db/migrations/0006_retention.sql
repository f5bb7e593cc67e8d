-- The retention purge (adapters/db/retention.ts) finds what has stopped mattering through
-- these indexes. None is on a column that hot paths update where HOT updates were possible
-- (a flow's expires_at moves with its state, so flows are found by created_at). IF NOT
-- EXISTS: on a large installation an operator may build them beforehand with CREATE
-- INDEX CONCURRENTLY under these names, instead of blocking writes while this runs.
CREATE INDEX IF NOT EXISTS recovery_flows_by_creation ON recovery_flows (created_at);
CREATE INDEX IF NOT EXISTS tokens_by_expiry ON tokens (expires_at);
-- Deleting a flow deletes its tokens (ON DELETE CASCADE): without this, a scan of all tokens per flow.
CREATE INDEX IF NOT EXISTS tokens_by_flow ON tokens (flow_id) WHERE flow_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS sessions_by_absolute_expiry ON sessions (absolute_expires_at);
CREATE INDEX IF NOT EXISTS identity_failures_by_time ON identity_failures (failed_at);
CREATE INDEX IF NOT EXISTS outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
