-- printmon cloud schema, version 2: user accounts and the analytics read model.
-- Forward-only. Every key leads with tenant_id (V0001's rule).

-- Users of a tenant's analytics API and UI. Passwords: argon2id encoded strings ($argon2id$...).
CREATE TABLE users (
    tenant_id     uuid        NOT NULL REFERENCES tenants (tenant_id),
    user_id       uuid        NOT NULL DEFAULT gen_random_uuid(),
    email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    role          text        NOT NULL CHECK (role IN ('admin', 'viewer')),
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE UNIQUE INDEX users_email ON users (tenant_id, lower(email));

-- Bearer tokens issued by a login ("pms.<tenant>.<secret>", same scheme as scanner keys: only
-- the SHA-256 is stored). Logout or disabling the user ends them before expires_at.
CREATE TABLE user_sessions (
    tenant_id  uuid        NOT NULL,
    session_id uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL,
    key_hash   bytea       NOT NULL CHECK (length(key_hash) = 32),
    key_prefix text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, session_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, user_id)
);
CREATE UNIQUE INDEX user_sessions_key ON user_sessions (tenant_id, key_hash);

-- The device serial of each reading, kept beside the document so counter epochs can tell a
-- swapped device without opening (de-TOASTing) every snapshot.
ALTER TABLE readings ADD COLUMN serial text GENERATED ALWAYS AS (snapshot #>> '{identity,serial}') STORED;

CREATE INDEX events_time ON events (tenant_id, at);

-- RFC 3339 UTC text of a timestamp, as every API answer writes times.
CREATE FUNCTION pm_rfc3339(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN t IS NULL THEN NULL
                WHEN date_trunc('second', t) = t
                THEN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                ELSE to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END;

-- Start of a UTC day. Page volume periods are UTC days, ISO weeks and calendar months.
CREATE FUNCTION pm_day_start(d date) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN d::timestamp AT TIME ZONE 'UTC';

-- Severity of a device error code (kind 'error': hrPrinterDetectedErrorState names); other
-- kinds are 'info'.
CREATE FUNCTION pm_severity(kind text, code text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE
        WHEN kind <> 'error' THEN 'info'
        WHEN code IN ('low_paper', 'low_toner', 'output_near_full', 'input_tray_empty',
                      'overdue_prevent_maint') THEN 'warning'
        ELSE 'critical' END;

-- Read model, maintained by analytics_refresh() from the raw tables. Ingest only marks what
-- changed (trigger below), so it stays as fast as before; the refresh runs in the background
-- and before any read of the tenant (read-your-writes).
CREATE TABLE analytics_dirty (
    tenant_id uuid NOT NULL,
    device_id uuid NOT NULL,
    day       date NOT NULL,
    PRIMARY KEY (tenant_id, device_id, day)
);

-- Pages per device, counter and UTC day, with counter epochs applied: a reading's delta is
-- value - previous value, except after an epoch change (decrease, serial change: 0 pages, the
-- new epoch starts there; 32-bit wrap: value + 2^32 - previous). The delta of a reading counts
-- on the day the reading was taken.
CREATE TABLE counter_days (
    tenant_id uuid    NOT NULL,
    day       date    NOT NULL,
    device_id uuid    NOT NULL,
    name      text    NOT NULL,
    pages     bigint  NOT NULL,
    readings  integer NOT NULL,
    epochs    integer NOT NULL,
    PRIMARY KEY (tenant_id, day, device_id, name)
);
CREATE INDEX counter_days_device ON counter_days (tenant_id, device_id, day);

-- The same per calendar month: a tenant-wide month reads one row per device and counter.
CREATE TABLE counter_months (
    tenant_id uuid    NOT NULL,
    month     date    NOT NULL,
    device_id uuid    NOT NULL,
    name      text    NOT NULL,
    pages     bigint  NOT NULL,
    readings  integer NOT NULL,
    epochs    integer NOT NULL,
    PRIMARY KEY (tenant_id, month, device_id, name)
);
CREATE INDEX counter_months_device ON counter_months (tenant_id, device_id, month);

-- Every epoch change with the two readings that caused it.
CREATE TABLE counter_epochs (
    tenant_id           uuid        NOT NULL,
    device_id           uuid        NOT NULL,
    name                text        NOT NULL,
    at                  timestamptz NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('decrease', 'wrap', 'serial_change')),
    reading_id          uuid,
    value               bigint      NOT NULL,
    serial              text,
    previous_reading_id uuid,
    previous_at         timestamptz NOT NULL,
    previous_value      bigint      NOT NULL,
    previous_serial     text,
    PRIMARY KEY (tenant_id, device_id, name, at)
);
CREATE INDEX counter_epochs_time ON counter_epochs (tenant_id, at);

-- The latest reading of each device (status, supplies, counters) for lists and detail.
CREATE TABLE device_latest (
    tenant_id          uuid        NOT NULL,
    device_id          uuid        NOT NULL,
    polled_at          timestamptz NOT NULL,
    scanner_id         text        NOT NULL,
    reading_id         uuid        NOT NULL,
    device_status      text        NOT NULL,
    printer_status     text        NOT NULL,
    errors             text[]      NOT NULL,
    min_supply_percent integer,
    total              bigint,
    snapshot           jsonb       NOT NULL,
    PRIMARY KEY (tenant_id, device_id)
);

-- Supplies of the latest reading, one row each, for the fleet-wide "lowest first" list.
CREATE TABLE device_supplies (
    tenant_id     uuid        NOT NULL,
    device_id     uuid        NOT NULL,
    idx           integer     NOT NULL,
    description   text        NOT NULL,
    type          text        NOT NULL,
    color         text        NOT NULL,
    supply_class  text        NOT NULL,
    level_percent integer,
    state         text        NOT NULL,
    polled_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, device_id, idx)
);
CREATE INDEX device_supplies_level ON device_supplies (tenant_id, level_percent);

-- Cartridge changes: a supply's level rising by at least 20 points between two readings.
CREATE TABLE supply_changes (
    tenant_id        uuid        NOT NULL,
    device_id        uuid        NOT NULL,
    supply           text        NOT NULL,  -- type/color/description
    at               timestamptz NOT NULL,
    description      text        NOT NULL,
    type             text        NOT NULL,
    color            text        NOT NULL,
    previous_at      timestamptz NOT NULL,
    previous_percent integer     NOT NULL,
    level_percent    integer     NOT NULL,
    PRIMARY KEY (tenant_id, device_id, supply, at)
);
CREATE INDEX supply_changes_time ON supply_changes (tenant_id, at);

-- Statement-level (one small insert per batch, not per row): which device-days got readings.
CREATE FUNCTION analytics_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analytics_dirty (tenant_id, device_id, day)
    SELECT DISTINCT tenant_id, device_id, (polled_at AT TIME ZONE 'UTC')::date FROM inserted
    ORDER BY 1, 2, 3  -- same lock order in concurrent batches
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER readings_mark_dirty AFTER INSERT ON readings
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_dirty();

-- Brings the read model of one tenant up to date with its raw readings; returns the number of
-- devices refreshed. Serialised per tenant (advisory lock), so concurrent callers wait for the
-- running refresh and then find nothing left to do.
--
-- For each dirty device the range [first dirty day, last dirty day] is widened to the day of
-- the next reading after it (whose delta depends on the readings inserted before it), and
-- every derived row in that range is recomputed from reading_counters, with the reading just
-- before the range as the start of each counter's sequence.
CREATE FUNCTION analytics_refresh(p_tenant uuid) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM analytics_dirty WHERE tenant_id = p_tenant) THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('printmon.analytics'), hashtext(p_tenant::text));

    CREATE TEMP TABLE pm_range ON COMMIT DROP AS
    WITH d AS (DELETE FROM analytics_dirty WHERE tenant_id = p_tenant RETURNING device_id, day)
    SELECT device_id, min(day) AS from_day, max(day) AS to_day,
           NULL::timestamptz AS lookback_at
    FROM d GROUP BY device_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        DROP TABLE pm_range;
        RETURN 0;
    END IF;

    UPDATE pm_range r SET
        to_day = coalesce((SELECT (x.polled_at AT TIME ZONE 'UTC')::date FROM readings x
                           WHERE x.tenant_id = p_tenant AND x.device_id = r.device_id
                             AND x.polled_at >= pm_day_start(r.to_day + 1)
                           ORDER BY x.polled_at LIMIT 1), r.to_day),
        lookback_at = coalesce((SELECT x.polled_at FROM readings x
                                WHERE x.tenant_id = p_tenant AND x.device_id = r.device_id
                                  AND x.polled_at < pm_day_start(r.from_day)
                                ORDER BY x.polled_at DESC LIMIT 1), pm_day_start(r.from_day));
    ANALYZE pm_range;

    -- The readings of the ranges (one per instant: two scanners may poll at the same time).
    CREATE TEMP TABLE pm_readings ON COMMIT DROP AS
    SELECT DISTINCT ON (x.device_id, x.polled_at)
           x.device_id, x.polled_at, x.reading_id, x.serial, x.snapshot -> 'supplies' AS supplies
    FROM pm_range r
    JOIN readings x ON x.tenant_id = p_tenant AND x.device_id = r.device_id
                   AND x.polled_at >= r.lookback_at AND x.polled_at < pm_day_start(r.to_day + 1)
    ORDER BY x.device_id, x.polled_at, x.reading_id;
    ANALYZE pm_readings;

    -- Counter sequences with the previous reading of each counter name.
    CREATE TEMP TABLE pm_seq ON COMMIT DROP AS
    WITH pts AS (
        SELECT rc.device_id, rc.name, rc.polled_at, rc.value
        FROM pm_range r
        JOIN reading_counters rc ON rc.tenant_id = p_tenant AND rc.device_id = r.device_id
                                AND rc.polled_at >= r.lookback_at
                                AND rc.polled_at < pm_day_start(r.to_day + 1)
    ), seq AS (
        SELECT p.device_id, p.name, p.polled_at, p.value, x.reading_id, x.serial,
               lag(p.polled_at) OVER w AS prev_at, lag(p.value) OVER w AS prev_value,
               lag(x.serial) OVER w AS prev_serial, lag(x.reading_id) OVER w AS prev_reading_id
        FROM pts p LEFT JOIN pm_readings x USING (device_id, polled_at)
        WINDOW w AS (PARTITION BY p.device_id, p.name ORDER BY p.polled_at)
    ), classified AS (
        SELECT s.*, CASE
            WHEN prev_value IS NULL THEN NULL
            WHEN coalesce(serial, '') <> '' AND coalesce(prev_serial, '') <> ''
                 AND serial <> prev_serial THEN 'serial_change'
            WHEN value < prev_value AND prev_value < 4294967296
                 AND prev_value >= 4294967296 - 16777216 AND value < 16777216 THEN 'wrap'
            WHEN value < prev_value THEN 'decrease' END AS epoch
        FROM seq s
    )
    SELECT c.*, CASE
            WHEN prev_value IS NULL THEN 0
            WHEN epoch IS NULL THEN value - prev_value
            WHEN epoch = 'wrap' THEN value + 4294967296 - prev_value
            ELSE 0 END AS delta
    FROM classified c JOIN pm_range r USING (device_id)
    WHERE c.polled_at >= pm_day_start(r.from_day);

    DELETE FROM counter_days c USING pm_range r
    WHERE c.tenant_id = p_tenant AND c.device_id = r.device_id
      AND c.day BETWEEN r.from_day AND r.to_day;
    INSERT INTO counter_days (tenant_id, day, device_id, name, pages, readings, epochs)
    SELECT p_tenant, (polled_at AT TIME ZONE 'UTC')::date, device_id, name, sum(delta), count(*),
           count(epoch)
    FROM pm_seq GROUP BY 2, device_id, name;

    DELETE FROM counter_epochs e USING pm_range r
    WHERE e.tenant_id = p_tenant AND e.device_id = r.device_id
      AND e.at >= pm_day_start(r.from_day) AND e.at < pm_day_start(r.to_day + 1);
    INSERT INTO counter_epochs (tenant_id, device_id, name, at, kind, reading_id, value, serial,
                                previous_reading_id, previous_at, previous_value, previous_serial)
    SELECT p_tenant, device_id, name, polled_at, epoch, reading_id, value, serial,
           prev_reading_id, prev_at, prev_value, prev_serial
    FROM pm_seq WHERE epoch IS NOT NULL;

    DELETE FROM counter_months m USING pm_range r
    WHERE m.tenant_id = p_tenant AND m.device_id = r.device_id
      AND m.month BETWEEN date_trunc('month', r.from_day)::date
                      AND date_trunc('month', r.to_day)::date;
    INSERT INTO counter_months (tenant_id, month, device_id, name, pages, readings, epochs)
    SELECT p_tenant, date_trunc('month', c.day)::date, c.device_id, c.name, sum(c.pages),
           sum(c.readings), sum(c.epochs)
    FROM pm_range r
    JOIN counter_days c ON c.tenant_id = p_tenant AND c.device_id = r.device_id
                       AND c.day >= date_trunc('month', r.from_day)::date
                       AND c.day < (date_trunc('month', r.to_day) + interval '1 month')::date
    GROUP BY 2, c.device_id, c.name;

    -- Cartridge changes.
    DELETE FROM supply_changes s USING pm_range r
    WHERE s.tenant_id = p_tenant AND s.device_id = r.device_id
      AND s.at >= pm_day_start(r.from_day) AND s.at < pm_day_start(r.to_day + 1);
    INSERT INTO supply_changes (tenant_id, device_id, supply, at, description, type, color,
                                previous_at, previous_percent, level_percent)
    SELECT p_tenant, device_id, supply, polled_at, description, type, color, prev_at, prev_pct, pct
    FROM (
        SELECT x.device_id, x.polled_at,
               concat_ws('/', s ->> 'type', s ->> 'color', s ->> 'description') AS supply,
               coalesce(s ->> 'description', '') AS description, coalesce(s ->> 'type', '') AS type,
               coalesce(s ->> 'color', '') AS color, (s ->> 'level_percent')::integer AS pct,
               lag((s ->> 'level_percent')::integer) OVER w AS prev_pct,
               lag(x.polled_at) OVER w AS prev_at
        FROM pm_readings x
        CROSS JOIN LATERAL jsonb_array_elements(
            CASE WHEN jsonb_typeof(x.supplies) = 'array' THEN x.supplies ELSE '[]' END) s
        WHERE jsonb_typeof(s -> 'level_percent') = 'number'
        WINDOW w AS (PARTITION BY x.device_id,
                     concat_ws('/', s ->> 'type', s ->> 'color', s ->> 'description')
                     ORDER BY x.polled_at)
    ) q JOIN pm_range r USING (device_id)
    WHERE pct - prev_pct >= 20 AND q.polled_at >= pm_day_start(r.from_day)
    ON CONFLICT DO NOTHING;

    -- Latest state (a late offline file does not roll it back).
    INSERT INTO device_latest AS l (tenant_id, device_id, polled_at, scanner_id, reading_id,
                                    device_status, printer_status, errors, min_supply_percent,
                                    total, snapshot)
    SELECT p_tenant, r.device_id, x.polled_at, x.scanner_id, x.reading_id,
           coalesce(x.snapshot #>> '{status,device}', 'unknown'),
           coalesce(x.snapshot #>> '{status,printer}', 'unknown'),
           ARRAY(SELECT jsonb_array_elements_text(
                     CASE WHEN jsonb_typeof(x.snapshot #> '{status,errors}') = 'array'
                          THEN x.snapshot #> '{status,errors}' ELSE '[]' END)),
           (SELECT min((s ->> 'level_percent')::integer)
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(x.snapshot -> 'supplies') = 'array'
                                           THEN x.snapshot -> 'supplies' ELSE '[]' END) s
            WHERE jsonb_typeof(s -> 'level_percent') = 'number'
              AND coalesce(s ->> 'class', 'consumed') = 'consumed'),
           x.total, x.snapshot
    FROM pm_range r
    CROSS JOIN LATERAL (SELECT * FROM readings x
                        WHERE x.tenant_id = p_tenant AND x.device_id = r.device_id
                        ORDER BY x.polled_at DESC, x.reading_id LIMIT 1) x
    ON CONFLICT (tenant_id, device_id) DO UPDATE SET
        polled_at = EXCLUDED.polled_at, scanner_id = EXCLUDED.scanner_id,
        reading_id = EXCLUDED.reading_id, device_status = EXCLUDED.device_status,
        printer_status = EXCLUDED.printer_status, errors = EXCLUDED.errors,
        min_supply_percent = EXCLUDED.min_supply_percent, total = EXCLUDED.total,
        snapshot = EXCLUDED.snapshot
    WHERE l.reading_id <> EXCLUDED.reading_id;

    DELETE FROM device_supplies d USING pm_range r
    WHERE d.tenant_id = p_tenant AND d.device_id = r.device_id;
    INSERT INTO device_supplies (tenant_id, device_id, idx, description, type, color,
                                 supply_class, level_percent, state, polled_at)
    SELECT p_tenant, l.device_id, s.idx::integer, coalesce(s.doc ->> 'description', ''),
           coalesce(s.doc ->> 'type', ''), coalesce(s.doc ->> 'color', ''),
           coalesce(s.doc ->> 'class', 'consumed'),
           CASE WHEN jsonb_typeof(s.doc -> 'level_percent') = 'number'
                THEN (s.doc ->> 'level_percent')::integer END,
           coalesce(s.doc ->> 'state', 'unknown'), l.polled_at
    FROM pm_range r
    JOIN device_latest l ON l.tenant_id = p_tenant AND l.device_id = r.device_id
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(l.snapshot -> 'supplies') = 'array'
             THEN l.snapshot -> 'supplies' ELSE '[]' END) WITH ORDINALITY s(doc, idx);

    DROP TABLE pm_seq, pm_readings, pm_range;
    RETURN n;
END $$;
