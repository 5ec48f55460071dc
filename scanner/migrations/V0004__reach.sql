-- Reach (issue 13): credential sets per discovery range, the SNMPv3 context name's limit, and
-- SNMP secrets encrypted at rest. Forward-only.

-- The credential sets a range tries, in `position` order. A range with no rows here tries every
-- enabled set in the global order, as before. Rationale: RESTRICT, not CASCADE, on the
-- credential side: deleting a set a range names would silently widen that range to the global
-- sets, so the UI must take it off the range first.
CREATE TABLE range_credentials (
    range_id      uuid    NOT NULL REFERENCES discovery_ranges ON DELETE CASCADE,
    credential_id uuid    NOT NULL REFERENCES credentials ON DELETE RESTRICT,
    position      integer NOT NULL CHECK (position >= 0),
    PRIMARY KEY (range_id, credential_id),
    UNIQUE (range_id, position)
);
CREATE INDEX range_credentials_credential ON range_credentials (credential_id);

-- An SNMPv3 contextName is an SnmpAdminString of at most 32 octets (RFC 3411). NOT VALID: a row
-- written before this check does not block the upgrade; new and edited rows are checked.
ALTER TABLE credentials
    ADD CONSTRAINT credentials_context_length CHECK (octet_length(context) <= 32) NOT VALID;

-- Secrets at rest. With secret_scheme 'aes-256-gcm', community, auth_password and priv_password
-- hold base64(nonce | ciphertext | tag) made with the key in the scanner's key file (never in
-- the database); secret_key_id names that key (a hash of it) so a wrong key file is reported
-- as such. 'plain' rows (older ones, or written by hand) are encrypted by the scanner when it
-- starts (storage/secrets.hpp). Empty secrets stay empty in both schemes.
ALTER TABLE credentials
    ADD COLUMN secret_scheme text NOT NULL DEFAULT 'plain'
        CHECK (secret_scheme IN ('plain', 'aes-256-gcm')),
    ADD COLUMN secret_key_id text NOT NULL DEFAULT '';
