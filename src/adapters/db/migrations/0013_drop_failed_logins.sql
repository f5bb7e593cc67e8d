-- Wrong sign-ins are counted in login_failures; accounts.failed_logins was only ever set
-- to 0, and the previous release no longer reads or writes it, so instances of that
-- release are unaffected during an upgrade.
ALTER TABLE accounts DROP COLUMN failed_logins;
