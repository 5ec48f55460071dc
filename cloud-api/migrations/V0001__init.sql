-- printmon cloud schema, version 1. Forward-only: never edit once released; add V0002__...
-- Multi-tenant: every primary key and index leads with tenant_id so the data can later be
-- sharded by tenant, and every query names its tenant.

CREATE TABLE tenants (
    tenant_id  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text        NOT NULL CHECK (name <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One branch scanner installation. Only SHA-256 of its key is stored (keys are 256-bit
-- random, so no slow hash is needed); key_prefix ("pmk.<tenant>.<4 chars>") is for humans.
CREATE TABLE scanners (
    tenant_id    uuid        NOT NULL REFERENCES tenants (tenant_id),
    scanner_id   text        NOT NULL CHECK (length(scanner_id) BETWEEN 1 AND 128),
    name         text        NOT NULL DEFAULT '',
    site         text        NOT NULL DEFAULT '',
    key_hash     bytea       NOT NULL CHECK (length(key_hash) = 32),
    key_prefix   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_seen_at timestamptz,
    last_version text,
    PRIMARY KEY (tenant_id, scanner_id)
);
CREATE UNIQUE INDEX scanners_key ON scanners (tenant_id, key_hash);

-- Tenant API tokens (import of offline files, later the analytics API). Same scheme as
-- scanner keys with the prefix "pmt.".
CREATE TABLE api_tokens (
    tenant_id  uuid        NOT NULL REFERENCES tenants (tenant_id),
    token_id   uuid        NOT NULL DEFAULT gen_random_uuid(),
    name       text        NOT NULL DEFAULT '',
    key_hash   bytea       NOT NULL CHECK (length(key_hash) = 32),
    key_prefix text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, token_id)
);
CREATE UNIQUE INDEX api_tokens_key ON api_tokens (tenant_id, key_hash);

-- A physical printer of the tenant, whichever scanner sees it and at whatever address.
-- identity_key: 'serial:<vendor lower>:<serial>', else 'mac:<mac lower>', else
-- 'scanner:<scanner_id>:<branch device_id>' (no identity: only that scanner can tell it apart).
CREATE TABLE devices (
    tenant_id       uuid        NOT NULL REFERENCES tenants (tenant_id),
    device_id       uuid        NOT NULL DEFAULT gen_random_uuid(),
    identity_key    text        NOT NULL,
    vendor          text        NOT NULL DEFAULT '',
    model           text        NOT NULL DEFAULT '',
    serial          text        NOT NULL DEFAULT '',
    mac             text        NOT NULL DEFAULT '',
    firmware        text        NOT NULL DEFAULT '',
    location        text        NOT NULL DEFAULT '',
    last_address    text        NOT NULL DEFAULT '',
    last_scanner_id text        NOT NULL,
    first_seen      timestamptz NOT NULL,
    last_seen       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, device_id),
    UNIQUE (tenant_id, identity_key)
);

-- Which tenant device a scanner's own device id stands for.
CREATE TABLE scanner_devices (
    tenant_id        uuid NOT NULL,
    scanner_id       text NOT NULL,
    branch_device_id uuid NOT NULL,
    device_id        uuid NOT NULL,
    PRIMARY KEY (tenant_id, scanner_id, branch_device_id),
    FOREIGN KEY (tenant_id, scanner_id) REFERENCES scanners (tenant_id, scanner_id),
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, device_id)
);
CREATE INDEX scanner_devices_device ON scanner_devices (tenant_id, device_id);

-- Every batch accepted, online or from an offline file: the idempotency record.
CREATE TABLE batches (
    tenant_id          uuid        NOT NULL,
    scanner_id         text        NOT NULL,
    batch_id           uuid        NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT now(),
    source             text        NOT NULL CHECK (source IN ('online', 'import')),
    scanner_version    text        NOT NULL DEFAULT '',
    created_at         timestamptz,
    readings           integer     NOT NULL DEFAULT 0,
    readings_stored    integer     NOT NULL DEFAULT 0,
    events             integer     NOT NULL DEFAULT 0,
    events_stored      integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, scanner_id, batch_id),
    FOREIGN KEY (tenant_id, scanner_id) REFERENCES scanners (tenant_id, scanner_id)
);
CREATE INDEX batches_received ON batches (tenant_id, received_at);

-- One snapshot of one device. The snapshot document is kept whole (jsonb); total is the
-- "total" counter, pulled out for the common page-count queries.
CREATE TABLE readings (
    tenant_id   uuid        NOT NULL,
    scanner_id  text        NOT NULL,
    reading_id  uuid        NOT NULL,
    device_id   uuid        NOT NULL,
    polled_at   timestamptz NOT NULL,
    snapshot    jsonb       NOT NULL,
    total       bigint,
    received_at timestamptz NOT NULL DEFAULT now(),
    batch_id    uuid        NOT NULL,
    PRIMARY KEY (tenant_id, scanner_id, reading_id),
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, device_id)
);
CREATE INDEX readings_device_time ON readings (tenant_id, device_id, polled_at);

-- Counters of every reading, one row per name, for page-volume queries without opening the
-- snapshot documents. Two scanners polling the same device at the same instant yield one row.
CREATE TABLE reading_counters (
    tenant_id uuid        NOT NULL,
    device_id uuid        NOT NULL,
    name      text        NOT NULL,
    polled_at timestamptz NOT NULL,
    value     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, device_id, name, polled_at)
);

-- Status transitions reported by scanners.
CREATE TABLE events (
    tenant_id   uuid        NOT NULL,
    scanner_id  text        NOT NULL,
    event_id    uuid        NOT NULL,
    device_id   uuid        NOT NULL,
    at          timestamptz NOT NULL,
    kind        text        NOT NULL,
    code        text        NOT NULL,
    action      text        NOT NULL CHECK (action IN ('appeared', 'cleared')),
    detail      text        NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL DEFAULT now(),
    batch_id    uuid        NOT NULL,
    PRIMARY KEY (tenant_id, scanner_id, event_id),
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, device_id)
);
CREATE INDEX events_device_time ON events (tenant_id, device_id, at);
