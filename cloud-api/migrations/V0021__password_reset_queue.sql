-- printmon cloud schema, version 21: "forgot password" requests wait here for the alert sender.
-- Forward-only.
--
-- POST /api/v1/auth/password-reset used to look the address up and, for an account, store a
-- token and queue an e-mail before answering: an answer for an existing account took a few
-- milliseconds longer than for an unknown address, which told who has an account. Now the
-- answer does the same for every address (the brake and one insert here), and the sender's
-- loop turns each request into links and e-mails (auth::process_password_reset_requests),
-- deleting it: the address is kept only until then. No tenant: like the sign-in by e-mail, a
-- request concerns the address's accounts in every tenant.
CREATE TABLE password_reset_requests (
    request_id      bigserial   PRIMARY KEY,
    email           text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    language        text        NOT NULL DEFAULT '',
    accept_language text        NOT NULL DEFAULT '',
    requested_at    timestamptz NOT NULL DEFAULT now()
);
