-- "No fui yo" locks an account whose clave (or unlock) its owner disowned. Such a lock is
-- lifted only by a new clave (Recuperar) or at an agency, never by Desbloquear, which
-- would bring the disowned clave back. Set with the lock, cleared with a new clave.
ALTER TABLE accounts ADD COLUMN disowned_at timestamptz;
