-- A flow keeps the questions it asked, with their answer key, from the moment it starts.
-- The page and the answer are then judged against exactly what the person was shown: an
-- import or a new reference year between the two can no longer turn right answers wrong,
-- and neither needs the registry again. Flows opened by an earlier release have none and
-- answer CLV-050 (start again); they live FLOW_TTL at most.
ALTER TABLE recovery_flows ADD COLUMN questions jsonb;
