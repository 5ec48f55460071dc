-- Web UI accounts: users, sessions, API tokens, login attempts (rate limiting). Forward-only.

-- Administrators of this scanner. The first one is created by the first-run setup page.
-- password_hash is an argon2id PHC string ("$argon2id$v=19$m=...,t=...,p=...$salt$hash").
CREATE TABLE web_users (
    user_id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    username            text        NOT NULL UNIQUE CHECK (username <> ''),
    password_hash       text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

-- Browser sessions. Only the SHA-256 of the cookie value is stored, so a database dump does not
-- hand out live sessions. csrf_token is returned to the page and must come back in
-- X-CSRF-Token on every state-changing request.
CREATE TABLE web_sessions (
    token_hash   text        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES web_users ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    remote       text        NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- Bearer tokens for scripts (Authorization: Bearer pmt_...); stored as SHA-256 like sessions.
CREATE TABLE web_api_tokens (
    token_id     uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid        NOT NULL REFERENCES web_users ON DELETE CASCADE,
    name         text        NOT NULL CHECK (name <> ''),
    token_hash   text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NULL
);

-- Every login attempt, for the rate limit (failures per remote address in a sliding window)
-- and for the audit trail. Old rows are pruned by the login handler.
CREATE TABLE web_login_attempts (
    attempt_id bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    remote     text        NOT NULL,
    username   text        NOT NULL,
    success    boolean     NOT NULL
);
CREATE INDEX web_login_attempts_remote ON web_login_attempts (remote, at);
