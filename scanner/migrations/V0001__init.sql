-- printmon branch scanner schema, version 1. Forward-only: never edit once released; add
-- V0002__... instead. The web UI and the uploader build on these tables.

-- SNMP credential sets, tried in `ordinal` order during discovery. Secrets are stored as given
-- for now (the database is local to the branch); the scanner never logs them.
CREATE TABLE credentials (
    credential_id uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text        NOT NULL,
    ordinal       integer     NOT NULL DEFAULT 0,
    version       text        NOT NULL DEFAULT '2c' CHECK (version IN ('1', '2c', '3')),
    community     text        NOT NULL DEFAULT '',
    v3_user       text        NOT NULL DEFAULT '',
    auth_protocol text        NOT NULL DEFAULT ''
        CHECK (auth_protocol IN ('', 'MD5', 'SHA', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512')),
    auth_password text        NOT NULL DEFAULT '',
    priv_protocol text        NOT NULL DEFAULT ''
        CHECK (priv_protocol IN ('', 'DES', 'AES', 'AES-192', 'AES-256')),
    priv_password text        NOT NULL DEFAULT '',
    context       text        NOT NULL DEFAULT '',
    enabled       boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credentials_order ON credentials (ordinal, created_at);

-- Most printers answer "public"; the UI may change or delete this row.
INSERT INTO credentials (name, ordinal, version, community) VALUES ('public', 0, '2c', 'public');

-- What discovery scans: a CIDR block, an a.b.c.d-e.f.g.h range, an address or a host name.
-- Rows with `exclude` are subtracted from the others.
CREATE TABLE discovery_ranges (
    range_id   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    target     text        NOT NULL CHECK (target <> ''),
    exclude    boolean     NOT NULL DEFAULT false,
    enabled    boolean     NOT NULL DEFAULT true,
    note       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Settings edited in the UI. Values are JSON scalars; the scanner reads them as text
-- (value #>> '{}') and falls back to built-in defaults for absent keys.
CREATE TABLE settings (
    key        text        PRIMARY KEY,
    value      jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (key, value) VALUES
    ('polling_interval_s', '300'),       -- default per-device polling interval
    ('discovery_interval_s', '86400'),   -- 0 disables scheduled discovery
    ('discovery_port', '161'),           -- UDP port discovery probes (devices keep their own)
    ('offline_after_failures', '2'),     -- consecutive failed polls before "offline"
    ('cloud_url', '""'),
    ('scanner_key', '""'),
    ('scanner_id', to_jsonb(gen_random_uuid()::text));  -- generated once per installation

-- Printers. A device keeps its id when its address changes (DHCP): it is matched by vendor +
-- serial, else by MAC. `address` is NULL when another device took its address and it has not
-- been seen since (moved_at says when).
CREATE TABLE devices (
    device_id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    address              text        NULL,
    port                 integer     NOT NULL DEFAULT 161 CHECK (port BETWEEN 1 AND 65535),
    vendor               text        NOT NULL DEFAULT '',
    model                text        NOT NULL DEFAULT '',
    serial               text        NOT NULL DEFAULT '',
    mac                  text        NOT NULL DEFAULT '',
    firmware             text        NOT NULL DEFAULT '',
    sys_object_id        text        NOT NULL DEFAULT '',
    sys_name             text        NOT NULL DEFAULT '',
    location             text        NOT NULL DEFAULT '',
    polling_interval_s   integer     NULL CHECK (polling_interval_s > 0),  -- NULL: the default
    enabled              boolean     NOT NULL DEFAULT true,
    manual               boolean     NOT NULL DEFAULT false,  -- added by hand, polled always
    credential_id        uuid        NULL REFERENCES credentials ON DELETE SET NULL,
    first_seen           timestamptz NOT NULL DEFAULT now(),
    last_seen            timestamptz NULL,  -- last successful poll
    last_polled_at       timestamptz NULL,  -- last attempt
    last_error           text        NULL,
    status               text        NOT NULL DEFAULT 'unknown'
        CHECK (status IN ('unknown', 'online', 'offline')),
    consecutive_failures integer     NOT NULL DEFAULT 0,
    current_errors       text[]      NOT NULL DEFAULT '{}',  -- status.errors of the last reading
    last_reading_id      uuid        NULL,
    moved_at             timestamptz NULL,
    deleted_at           timestamptz NULL,  -- soft delete: never polled, never re-created
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_address ON devices (address, port) WHERE address IS NOT NULL;
CREATE INDEX devices_serial ON devices (lower(vendor), serial) WHERE serial <> '';
CREATE INDEX devices_mac ON devices (mac) WHERE mac <> '';

-- Upload batches, written by the uploader; created here so readings/events can refer to them.
CREATE TABLE upload_batches (
    batch_id   uuid        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    state      text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'quarantined')),
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text        NULL,
    sent_at    timestamptz NULL
);
CREATE INDEX upload_batches_pending ON upload_batches (created_at) WHERE state = 'pending';

-- The uploader's health, one row, shown by the UI.
CREATE TABLE uploader_status (
    singleton       boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    last_success_at timestamptz NULL,
    last_attempt_at timestamptz NULL,
    last_error      text        NULL,
    queue_length    bigint      NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO uploader_status (singleton) VALUES (true);

-- One successful poll: the v1 device snapshot document (proto::to_json), plus the total
-- counter for quick lists. reading_id is fixed before the first write attempt, so a retried
-- write after an unacknowledged commit is recognised, not duplicated.
CREATE TABLE readings (
    reading_id uuid        PRIMARY KEY,
    device_id  uuid        NOT NULL REFERENCES devices ON DELETE CASCADE,
    polled_at  timestamptz NOT NULL,
    snapshot   jsonb       NOT NULL,
    total      bigint      NULL,
    batch_id   uuid        NULL REFERENCES upload_batches ON DELETE SET NULL,
    sent_at    timestamptz NULL
);
CREATE INDEX readings_device ON readings (device_id, polled_at DESC);
CREATE INDEX readings_unsent ON readings (polled_at) WHERE sent_at IS NULL;

-- Transitions: kind 'device_status' (code 'offline'), 'error' (status.errors codes),
-- 'supply_change' (a cartridge was replaced: its level jumped up).
CREATE TABLE events (
    event_id  uuid        PRIMARY KEY,
    device_id uuid        NOT NULL REFERENCES devices ON DELETE CASCADE,
    at        timestamptz NOT NULL,
    kind      text        NOT NULL,
    code      text        NOT NULL,
    action    text        NOT NULL CHECK (action IN ('appeared', 'cleared')),
    detail    text        NOT NULL DEFAULT '',
    batch_id  uuid        NULL REFERENCES upload_batches ON DELETE SET NULL,
    sent_at   timestamptz NULL
);
CREATE INDEX events_device ON events (device_id, at DESC);
CREATE INDEX events_unsent ON events (at) WHERE sent_at IS NULL;
