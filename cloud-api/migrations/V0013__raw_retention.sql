-- printmon cloud schema, version 13: raw readings are kept for a limited time per tenant; the
-- day and month rollups (counter_days, counter_months, tenant_days, tenant_months,
-- counter_epochs, supply_changes) are kept for ever. Forward-only.
--
-- The rules (docs/deploy.md, "Raw data retention"):
-- * tenants.raw_retention_months (default 13, at least 3) is how many whole UTC months before
--   the current one a tenant's raw readings are kept. Its target horizon is the first instant of
--   the month that many months back.
-- * tenants.raw_archived_until is the horizon in force: raw readings before it are hidden from
--   every read of the tenant (pm_raw_horizon) and no longer change the read model. Only
--   pm_readings_maintain moves it, forward only, and in the same transaction writes what the
--   API still needs from the readings it hides: the last value of each counter per device and
--   UTC day (counter_day_ends: meter reads and cartridge yields at old dates).
-- * Storage is released at partition granularity: a month's partition is dropped once every
--   tenant's horizon has passed its end (the partition of the longest retention decides). A
--   tenant with a shorter retention than another's thus has hidden rows on disk until the
--   longest horizon passes them; rows are never deleted one by one. The only DELETE is of
--   stray rows in the default partition (a branch clock far off) older than the drop horizon.
-- * Readings that arrive older than a tenant's horizon (a late export file) are stored (the
--   ingest answer and its idempotency stay as they are) but hidden, and they do not mark the
--   read model dirty: the rollups of past days stay as they were computed from the full data.
--   Two days of margin after the horizon: the refresh of a day reads the reading before it.

ALTER TABLE tenants
    ADD COLUMN raw_retention_months integer NOT NULL DEFAULT 13
        CHECK (raw_retention_months BETWEEN 3 AND 600),
    ADD COLUMN raw_archived_until   timestamptz;

-- The last reading of each counter of a device per UTC day, for raw readings past the
-- tenant's horizon. ~15 rows per device and day where a day has 96 readings.
CREATE TABLE counter_day_ends (
    tenant_id uuid        NOT NULL,
    device_id uuid        NOT NULL,
    name      text        NOT NULL,
    at        timestamptz NOT NULL,
    value     bigint      NOT NULL,
    PRIMARY KEY (tenant_id, device_id, name, at)
);

-- The horizon in force for a tenant: raw readings before it are hidden. '-infinity' until the
-- first maintenance (or for an unknown tenant: it has no readings anyway).
CREATE FUNCTION pm_raw_horizon(p_tenant uuid) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce((SELECT raw_archived_until FROM tenants WHERE tenant_id = p_tenant),
                    '-infinity');

-- The target horizon of a retention of `p_months` whole months at `p_now`.
CREATE FUNCTION pm_retention_target(p_months integer, p_now timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (date_trunc('month', p_now AT TIME ZONE 'UTC') - make_interval(months => p_months))
           AT TIME ZONE 'UTC';

-- V0002's dirty marks, without the days at or before a tenant's horizon (+ 2 days, above).
CREATE OR REPLACE FUNCTION analytics_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analytics_dirty (tenant_id, device_id, day)
    SELECT d.tenant_id, d.device_id, d.day
    FROM (SELECT DISTINCT tenant_id, device_id, (polled_at AT TIME ZONE 'UTC')::date AS day
          FROM inserted) d
    JOIN tenants t ON t.tenant_id = d.tenant_id
    WHERE t.raw_archived_until IS NULL
       OR pm_day_start(d.day) >= t.raw_archived_until + interval '2 days'
    ORDER BY 1, 2, 3  -- same lock order in concurrent batches
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

-- Moves the horizons forward, drops the partitions past every horizon, and keeps partitions
-- ready for the next months; called by cloud-api's background thread (hourly) with p_now =
-- now(), by tests with a chosen instant. Any number of cloud-api replicas may call it: one runs,
-- the others return at once (advisory lock). lock_timeout: creating and dropping a partition
-- needs a short exclusive lock, which must not queue ingest behind a long analytics read; the
-- next call retries.
CREATE FUNCTION pm_readings_maintain(p_now timestamptz,
                                     OUT tenants_archived integer, OUT partitions_dropped integer,
                                     OUT partitions_created integer, OUT strays_deleted bigint)
    LANGUAGE plpgsql SET lock_timeout = '10s' AS $$
DECLARE
    t          record;
    p          record;
    drop_until timestamptz;
    n          bigint;
BEGIN
    tenants_archived := 0;
    partitions_dropped := 0;
    partitions_created := 0;
    strays_deleted := 0;
    IF NOT pg_try_advisory_xact_lock(hashtext('printmon.readings_maintain')) THEN
        RETURN;
    END IF;

    -- 1. Horizons: keep the day ends of what gets hidden, then hide it.
    FOR t IN SELECT tenant_id, raw_archived_until AS archived,
                    pm_retention_target(raw_retention_months, p_now) AS target
             FROM tenants
             WHERE raw_archived_until IS NULL
                OR raw_archived_until < pm_retention_target(raw_retention_months, p_now)
             ORDER BY tenant_id FOR NO KEY UPDATE
    LOOP
        INSERT INTO counter_day_ends (tenant_id, device_id, name, at, value)
        SELECT DISTINCT ON (x.device_id, c.key, (x.polled_at AT TIME ZONE 'UTC')::date)
               t.tenant_id, x.device_id, c.key, x.polled_at, c.value::bigint
        FROM readings x CROSS JOIN LATERAL jsonb_each_text(x.counters) c
        WHERE x.tenant_id = t.tenant_id AND x.polled_at < t.target
          AND x.polled_at >= coalesce(t.archived, '-infinity')
          AND c.value ~ '^-?[0-9]{1,18}$'
        ORDER BY x.device_id, c.key, (x.polled_at AT TIME ZONE 'UTC')::date, x.polled_at DESC,
                 x.reading_id
        ON CONFLICT DO NOTHING;
        UPDATE tenants SET raw_archived_until = t.target WHERE tenant_id = t.tenant_id;
        tenants_archived := tenants_archived + 1;
    END LOOP;

    -- 2. Storage: the partitions past every tenant's horizon (without tenants: the default
    -- retention's).
    drop_until := coalesce((SELECT min(raw_archived_until) FROM tenants),
                           pm_retention_target(13, p_now));
    FOR p IN SELECT c.relname AS name
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'readings'::regclass AND c.relname ~ '^readings_p[0-9]{6}$'
               AND (to_date(substr(c.relname, 11), 'YYYYMM') + interval '1 month')::timestamp
                   AT TIME ZONE 'UTC' <= drop_until
             ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE %I', p.name);
        partitions_dropped := partitions_dropped + 1;
    END LOOP;
    DELETE FROM readings_default WHERE polled_at < drop_until;
    GET DIAGNOSTICS n = ROW_COUNT;
    strays_deleted := n;

    -- 3. Partitions for this month and the next three, and for the months of stray rows within
    -- that span (their rows move in).
    SELECT count(*) FILTER (WHERE created) INTO n
    FROM (SELECT pm_readings_create_partition(m) AS created
          FROM (SELECT (date_trunc('month', p_now AT TIME ZONE 'UTC')
                        + k * interval '1 month')::date AS m
                FROM generate_series(0, 3) k
                UNION
                SELECT DISTINCT date_trunc('month', polled_at AT TIME ZONE 'UTC')::date
                FROM readings_default
                WHERE polled_at >= drop_until
                  AND polled_at < (date_trunc('month', p_now AT TIME ZONE 'UTC')
                                   + interval '4 months') AT TIME ZONE 'UTC') months
          ORDER BY m) c;
    partitions_created := n;
END $$;

-- V0008's rebuild after a zone change, limited to the raw readings still in force: the counter
-- days from two days after the horizon on are rebuilt in the new zone (from the readings, as
-- before); older ones stay as they were computed, in the old zone, since their readings are
-- gone. The month of that first rebuilt day is summed again from its days (old and new).
CREATE OR REPLACE FUNCTION pm_rebuild_counters(p_tenant uuid) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n       integer;
    chunks  integer;
    tz      text;
    horizon timestamptz;
    d0      date;      -- first local day rebuilt; NULL: all of them
    from_at timestamptz := '-infinity';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('printmon.analytics'), hashtext(p_tenant::text));
    SELECT time_zone, raw_archived_until INTO tz, horizon FROM tenants WHERE tenant_id = p_tenant;
    tz := coalesce(tz, 'UTC');
    IF horizon IS NULL THEN
        DELETE FROM counter_days WHERE tenant_id = p_tenant;
        DELETE FROM counter_months WHERE tenant_id = p_tenant;
    ELSE
        d0 := ((horizon + interval '2 days') AT TIME ZONE tz)::date;
        from_at := pm_local_day_start(d0, tz);
        DELETE FROM counter_days WHERE tenant_id = p_tenant AND day >= d0;
        DELETE FROM counter_months WHERE tenant_id = p_tenant
                                     AND month > date_trunc('month', d0)::date;
    END IF;

    CREATE TEMP TABLE pm_rebuild ON COMMIT DROP AS
    SELECT device_id, (first_at AT TIME ZONE tz)::date AS first_day,
           (last_at AT TIME ZONE tz)::date AS last_day,
           ((sum(readings) OVER (ORDER BY device_id))::bigint - readings) / 200000 AS chunk
    FROM (SELECT device_id, min(polled_at) AS first_at, max(polled_at) AS last_at,
                 count(*) AS readings
          FROM readings WHERE tenant_id = p_tenant AND polled_at >= from_at
          GROUP BY device_id) c;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT coalesce(max(chunk) + 1, 0) INTO chunks FROM pm_rebuild;

    FOR i IN 0 .. chunks - 1 LOOP
        CREATE TEMP TABLE pm_range ON COMMIT DROP AS
        SELECT device_id, first_day AS from_day, last_day AS to_day FROM pm_rebuild
        WHERE chunk = i;
        PERFORM pm_refresh_ranges(p_tenant, tz, true);
    END LOOP;
    DROP TABLE pm_rebuild;

    IF d0 IS NOT NULL THEN
        DELETE FROM counter_months WHERE tenant_id = p_tenant
                                     AND month = date_trunc('month', d0)::date;
        INSERT INTO counter_months (tenant_id, month, device_id, name, pages, readings, epochs)
        SELECT p_tenant, date_trunc('month', d0)::date, device_id, name, sum(pages),
               sum(readings), sum(epochs)
        FROM counter_days
        WHERE tenant_id = p_tenant AND day >= date_trunc('month', d0)::date
          AND day < (date_trunc('month', d0) + interval '1 month')::date
        GROUP BY device_id, name;
    END IF;
    RETURN n;
END $$;

-- Sets a tenant's raw retention in whole months (3..600); returns whether it changed. Errors:
-- invalid_parameter_value (22023) out of range, no_data_found (P0002) for an unknown tenant.
-- A longer retention keeps future readings longer; readings already hidden stay hidden (their
-- partitions may be gone).
CREATE FUNCTION pm_set_tenant_retention(p_tenant uuid, p_months integer) RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE
    current integer;
BEGIN
    IF p_months IS NULL OR p_months < 3 OR p_months > 600 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('raw retention must be 3 to 600 months, not %s', p_months);
    END IF;
    SELECT raw_retention_months INTO current FROM tenants WHERE tenant_id = p_tenant
    FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('no tenant %s', p_tenant);
    END IF;
    IF current = p_months THEN
        RETURN false;
    END IF;
    UPDATE tenants SET raw_retention_months = p_months WHERE tenant_id = p_tenant;
    RETURN true;
END $$;
