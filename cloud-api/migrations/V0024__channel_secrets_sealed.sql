-- printmon cloud schema, version 24: channel secrets sealed at rest. Forward-only.
--
-- A webhook's signing secret and a Telegram bot's token let whoever holds them sign messages
-- as printmon or post as the tenant's bot. A database dump or backup must not hand them out:
-- with secret_scheme 'aes-256-gcm', `secret` holds base64(nonce | ciphertext | tag) made with
-- the key in cloud-api's key file ([secrets] key_file, never in the database), bound to its
-- channel (the ciphertext of one channel does not open as another's). secret_key_id names the
-- key (a hash of it), so a channel sealed under another key is reported as such, not as
-- damaged. 'plain' rows (older ones) are sealed by cloud-api when it starts
-- (storage/secrets.hpp). An empty secret (e-mail channels) stays empty in both schemes.
ALTER TABLE notification_channels
    ADD COLUMN secret_scheme text NOT NULL DEFAULT 'plain'
        CHECK (secret_scheme IN ('plain', 'aes-256-gcm')),
    ADD COLUMN secret_key_id text NOT NULL DEFAULT '';

-- The key every replica must hold. The first cloud-api to start with a key records its id
-- here; one started with another key file refuses to start rather than seal secrets the other
-- replicas cannot open. One row at most.
CREATE TABLE secret_key_registry (
    singleton     boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    key_id        text        NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
    registered_at timestamptz NOT NULL DEFAULT now()
);
