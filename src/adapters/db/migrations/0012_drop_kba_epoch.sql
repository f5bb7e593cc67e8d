-- The knowledge questions no longer change with a new clave (docs/security.md says why),
-- so the epoch that redrew them is gone. The previous release no longer reads or writes
-- it, so instances of that release are unaffected during an upgrade.
ALTER TABLE accounts DROP COLUMN kba_epoch;
