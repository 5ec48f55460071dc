-- printmon cloud schema, version 26: failed sign-ins in the account's audit log. Forward-only.
--
-- The brake (login_failures, V0014) slows a password guesser but told nobody: an admin saw
-- neither the failures against their colleagues' accounts nor the lock that followed. A failed
-- sign-in against an e-mail an account knows now writes a row in that account, and so does the
-- failure that locks the address out. Nobody is signed in yet, so the actor is "anonymous"
-- (with its address); the target is the user whose e-mail was tried. The brake bounds how
-- many such rows a guesser can cause (ten per account and address per window, thirty per
-- address), and an e-mail no account knows writes nothing anywhere.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
    CHECK (actor_kind IN ('user', 'token', 'admin', 'scanner', 'anonymous'));
