-- printmon cloud schema, version 8: the tenant's time zone. Forward-only.
--
-- Why: a customer's "day" and "month" are its own (Russia alone spans eleven zones): a print
-- shop in Vladivostok (UTC+10) bills the pages of its October, which begins on 30 September
-- at 14:00 UTC. Page volume, counter days and months, and every date the API takes (period
-- boundaries, meter reads at a date, from/to dates of lists) now follow the tenant's IANA zone,
-- `tenants.time_zone` (default 'UTC': existing tenants keep their read model and answers).
--
-- Stored raw data stays in instants (timestamptz). What depends on the zone is only
-- counter_days.day and counter_months.month (the reading's LOCAL date and month) and with
-- them the tenant rollups of V0006, which are kept by their triggers as before.
-- analytics_dirty keeps UTC days: the ingestion trigger needs no zone (nothing on the
-- ingestion path changes), and the refresh widens those instants to the local days that
-- contain them.
--
-- A zone change rebuilds the tenant's counter days and months in the same transaction (an
-- AFTER UPDATE trigger on tenants), so an UPDATE of time_zone from any path leaves the read
-- model right; pm_set_tenant_time_zone() is the function the service calls.

ALTER TABLE tenants ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- Whether `zone` names a time zone of PostgreSQL's tz database (IANA names such as
-- 'Europe/Moscow', 'Asia/Vladivostok', 'UTC'). AT TIME ZONE also takes POSIX specifications
-- ('UTC+3' is UTC-3 there, '<+03>-3'), which a customer would mistake for offsets and which
-- know no daylight saving rules: only names of the database are accepted. 'localtime' and
-- 'posixrules' are links to the server's own settings, 'Factory' is a placeholder: none is a
-- customer's zone. pg_timezone_names reads the tz files (~40 ms): called only when a zone is
-- set, never on a read.
CREATE FUNCTION pm_is_time_zone(zone text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN zone NOT IN ('localtime', 'posixrules', 'Factory')
           AND EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = zone);

-- A CHECK constraint cannot call pm_is_time_zone safely (it reads the tz files, which a tzdata
-- upgrade changes: a dump would then fail to restore), so a trigger checks what is written.
CREATE FUNCTION pm_check_time_zone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.time_zone = 'UTC' OR (TG_OP = 'UPDATE' AND NEW.time_zone = OLD.time_zone) THEN
        RETURN NEW;
    END IF;
    IF NOT pm_is_time_zone(NEW.time_zone) THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('unknown time zone %L: expected an IANA name such as '
                             '''Europe/Moscow''', NEW.time_zone);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tenants_check_time_zone BEFORE INSERT OR UPDATE OF time_zone ON tenants
    FOR EACH ROW EXECUTE FUNCTION pm_check_time_zone();

-- The first instant of local day `d` in zone `tz`: the earliest instant whose local date is
-- `d` or later. Not simply `d::timestamp AT TIME ZONE tz`: where daylight saving ends at
-- midnight (America/Havana: 01:00 back to 00:00), local midnight happens twice and PostgreSQL
-- picks the second one, so the first hour of the day would fall before its own start. Local
-- midnight is therefore tried with the zone's offsets 12 hours before and after PostgreSQL's
-- pick (a transition near midnight has the one on either side), and the earliest candidate
-- that is already on day `d` wins; where midnight does not exist (a gap at 00:00) that is the
-- transition itself. Checked against every zone PostgreSQL knows for every day of 2022-2026,
-- 2.2 million days: each start is on its day and the microsecond before it is not.
--
-- PL/pgSQL rather than SQL: the body is not a single expression, so an SQL function would be
-- planned anew in every statement that calls it (a date conversion of the API: 0.4 ms instead
-- of 0.1 ms; 17 us a call against 4 us in bulk).
CREATE FUNCTION pm_local_day_start(d date, tz text) RETURNS timestamptz
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    midnight constant timestamp   := d::timestamp;
    picked   constant timestamptz := midnight AT TIME ZONE tz;
    earlier  constant timestamptz := picked - interval '12 hours';
    later    constant timestamptz := picked + interval '12 hours';
    -- Local midnight with the offset in force 12 hours before, and 12 hours after.
    a timestamptz := (midnight - (earlier AT TIME ZONE tz - earlier AT TIME ZONE 'UTC'))
                     AT TIME ZONE 'UTC';
    b timestamptz := (midnight - (later AT TIME ZONE tz - later AT TIME ZONE 'UTC'))
                     AT TIME ZONE 'UTC';
BEGIN
    IF (a AT TIME ZONE tz)::date < d THEN a := NULL; END IF;
    IF (b AT TIME ZONE tz)::date < d THEN b := NULL; END IF;
    RETURN coalesce(least(a, b), picked);  -- least() skips NULLs
END $$;

-- The read model in the tenant's local days: V0003's refresh (see there, and V0002, for the
-- range and epoch rules), split in two: analytics_refresh takes the dirty marks as before, and
-- pm_refresh_ranges recomputes the ranges it is given, so that a zone change can rebuild a
-- tenant without touching analytics_dirty (below). The changes:
-- 1. The zone is read after the advisory lock, so a refresh waiting for a zone change works in
--    the new zone.
-- 2. The dirty UTC days of a device become the local days that contain them (first: the local
--    date of the first UTC midnight; last: that of the instant before the UTC midnight ending
--    the last one), and the range's instants are local day starts (from_at, to_at).
-- 3. A reading's delta counts on its local date, clamped to the range: a refresh only writes
--    the days it deleted, whatever the tz database says about days that run backwards.

-- Recomputes the derived rows of the ranges in the temporary table pm_range (device_id,
-- from_day, to_day: local days of zone `tz`) and drops it. The caller holds the tenant's
-- analytics lock. `p_counters_only`: only what depends on the zone (counter days and months),
-- not the epochs, cartridge changes and latest state, which are instants.
CREATE FUNCTION pm_refresh_ranges(p_tenant uuid, tz text, p_counters_only boolean) RETURNS void
    LANGUAGE plpgsql SET jit = off SET work_mem = '64MB' AS $$
BEGIN
    -- Day starts are computed once per distinct day: the ranges of thousands of devices share
    -- a handful of days.
    ALTER TABLE pm_range ADD COLUMN from_at timestamptz, ADD COLUMN to_at timestamptz,
                         ADD COLUMN lookback_at timestamptz;
    UPDATE pm_range r SET from_at = s.at
    FROM (SELECT d, pm_local_day_start(d, tz) AS at
          FROM (SELECT DISTINCT from_day FROM pm_range) x(d)) s
    WHERE r.from_day = s.d;
    UPDATE pm_range r SET to_at = s.at
    FROM (SELECT d, pm_local_day_start(d + 1, tz) AS at
          FROM (SELECT DISTINCT to_day FROM pm_range) x(d)) s
    WHERE r.to_day = s.d;
    UPDATE pm_range r SET
        to_day = coalesce((SELECT (x.polled_at AT TIME ZONE tz)::date FROM readings x
                           WHERE x.tenant_id = p_tenant AND x.device_id = r.device_id
                             AND x.polled_at >= r.to_at
                           ORDER BY x.polled_at LIMIT 1), r.to_day),
        lookback_at = coalesce((SELECT x.polled_at FROM readings x
                                WHERE x.tenant_id = p_tenant AND x.device_id = r.device_id
                                  AND x.polled_at < r.from_at
                                ORDER BY x.polled_at DESC LIMIT 1), r.from_at);
    UPDATE pm_range r SET to_at = s.at
    FROM (SELECT d, pm_local_day_start(d + 1, tz) AS at
          FROM (SELECT DISTINCT to_day FROM pm_range) x(d)) s
    WHERE r.to_day = s.d;
    ANALYZE pm_range;

    -- The readings of the ranges (one per instant: two scanners may poll at the same time),
    -- each with its local date (supply levels only for the cartridge changes).
    CREATE TEMP TABLE pm_readings ON COMMIT DROP AS
    SELECT DISTINCT ON (x.device_id, x.polled_at)
           x.device_id, x.polled_at, x.reading_id, x.serial, x.counters,
           CASE WHEN NOT p_counters_only THEN x.supply_levels END AS supply_levels,
           (x.polled_at AT TIME ZONE tz)::date AS day
    FROM pm_range r
    JOIN readings x ON x.tenant_id = p_tenant AND x.device_id = r.device_id
                   AND x.polled_at >= r.lookback_at AND x.polled_at < r.to_at
    ORDER BY x.device_id, x.polled_at, x.reading_id;
    ANALYZE pm_readings;

    CREATE INDEX ON pm_readings (device_id, polled_at);

    CREATE TEMP TABLE pm_seq ON COMMIT DROP AS
    WITH pairs AS (
        SELECT x.device_id, x.polled_at, x.day, x.serial, x.counters,
               lag(x.polled_at) OVER w AS prev_at, lag(x.serial) OVER w AS prev_serial,
               lag(x.counters) OVER w AS prev_counters
        FROM pm_readings x
        WINDOW w AS (PARTITION BY x.device_id ORDER BY x.polled_at)
    ), pts AS MATERIALIZED (
        SELECT p.device_id, c.key AS name, p.polled_at, p.day, c.value::bigint AS value,
               p.serial, p.prev_at, (p.prev_counters ->> c.key)::bigint AS prev_value,
               p.prev_serial,
               p.prev_counters IS NOT NULL AND NOT (p.prev_counters ? c.key) AS gap
        FROM pairs p CROSS JOIN LATERAL jsonb_each_text(p.counters) c
    ), seq AS (
        SELECT device_id, name, polled_at, day, value, serial, prev_at, prev_value, prev_serial
        FROM pts WHERE NOT gap
        UNION ALL
        SELECT g.device_id, g.name, g.polled_at, g.day, g.value, g.serial, f.polled_at, f.value,
               f.serial
        FROM pts g
        LEFT JOIN LATERAL (
            SELECT y.polled_at, (y.counters ->> g.name)::bigint AS value, y.serial
            FROM pm_readings y
            WHERE y.device_id = g.device_id AND y.polled_at < g.prev_at AND y.counters ? g.name
            ORDER BY y.polled_at DESC LIMIT 1) f ON true
        WHERE g.gap
    ), classified AS (
        SELECT s.device_id, s.name, s.polled_at, s.day, s.value, s.prev_at, s.prev_value, CASE
            WHEN prev_value IS NULL THEN NULL
            WHEN serial <> '' AND prev_serial <> '' AND serial <> prev_serial THEN 'serial_change'
            WHEN value < prev_value AND prev_value < 4294967296
                 AND prev_value >= 4294967296 - 16777216 AND value < 16777216 THEN 'wrap'
            WHEN value < prev_value THEN 'decrease' END AS epoch
        FROM seq s
    )
    SELECT c.device_id, c.name, c.polled_at, greatest(least(c.day, r.to_day), r.from_day) AS day,
           c.epoch, CASE
            WHEN c.prev_value IS NULL THEN 0
            WHEN c.epoch IS NULL THEN c.value - c.prev_value
            WHEN c.epoch = 'wrap' THEN c.value + 4294967296 - c.prev_value
            ELSE 0 END AS delta,
           CASE WHEN c.epoch IS NOT NULL THEN c.value END AS value,
           CASE WHEN c.epoch IS NOT NULL THEN c.prev_at END AS prev_at,
           CASE WHEN c.epoch IS NOT NULL THEN c.prev_value END AS prev_value
    FROM classified c JOIN pm_range r USING (device_id)
    WHERE c.polled_at >= r.from_at;

    DELETE FROM counter_days c USING pm_range r
    WHERE c.tenant_id = p_tenant AND c.device_id = r.device_id
      AND c.day BETWEEN r.from_day AND r.to_day;
    INSERT INTO counter_days (tenant_id, day, device_id, name, pages, readings, epochs)
    SELECT p_tenant, day, device_id, name, sum(delta), count(*), count(epoch)
    FROM pm_seq GROUP BY day, device_id, name;

    -- Months of local dates: date_trunc on a timestamp (without zone), so the session's
    -- TimeZone plays no part.
    DELETE FROM counter_months m USING pm_range r
    WHERE m.tenant_id = p_tenant AND m.device_id = r.device_id
      AND m.month BETWEEN date_trunc('month', r.from_day::timestamp)::date
                      AND date_trunc('month', r.to_day::timestamp)::date;
    INSERT INTO counter_months (tenant_id, month, device_id, name, pages, readings, epochs)
    SELECT p_tenant, date_trunc('month', c.day::timestamp)::date, c.device_id, c.name,
           sum(c.pages), sum(c.readings), sum(c.epochs)
    FROM pm_range r
    JOIN counter_days c ON c.tenant_id = p_tenant AND c.device_id = r.device_id
                       AND c.day >= date_trunc('month', r.from_day::timestamp)::date
                       AND c.day < (date_trunc('month', r.to_day::timestamp)
                                    + interval '1 month')::date
    GROUP BY 2, c.device_id, c.name;

    IF p_counters_only THEN
        DROP TABLE pm_seq, pm_readings, pm_range;
        RETURN;
    END IF;

    DELETE FROM counter_epochs e USING pm_range r
    WHERE e.tenant_id = p_tenant AND e.device_id = r.device_id
      AND e.at >= r.from_at AND e.at < r.to_at;
    INSERT INTO counter_epochs (tenant_id, device_id, name, at, kind, reading_id, value, serial,
                                previous_reading_id, previous_at, previous_value, previous_serial)
    SELECT p_tenant, e.device_id, e.name, e.polled_at, e.epoch, cur.reading_id, e.value,
           nullif(cur.serial, ''), prev.reading_id, e.prev_at, e.prev_value,
           nullif(prev.serial, '')
    FROM pm_seq e
    JOIN pm_readings cur ON cur.device_id = e.device_id AND cur.polled_at = e.polled_at
    JOIN pm_readings prev ON prev.device_id = e.device_id AND prev.polled_at = e.prev_at
    WHERE e.epoch IS NOT NULL;

    -- Cartridge changes.
    DELETE FROM supply_changes s USING pm_range r
    WHERE s.tenant_id = p_tenant AND s.device_id = r.device_id
      AND s.at >= r.from_at AND s.at < r.to_at;
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
            CASE WHEN jsonb_typeof(x.supply_levels) = 'array' THEN x.supply_levels ELSE '[]' END) s
        WHERE jsonb_typeof(s -> 'level_percent') = 'number'
        WINDOW w AS (PARTITION BY x.device_id,
                     concat_ws('/', s ->> 'type', s ->> 'color', s ->> 'description')
                     ORDER BY x.polled_at)
    ) q JOIN pm_range r USING (device_id)
    WHERE pct - prev_pct >= 20 AND q.polled_at >= r.from_at
    ON CONFLICT DO NOTHING;

    -- Latest state (a late offline file does not roll it back). Only this one document per
    -- device is parsed.
    INSERT INTO device_latest AS l (tenant_id, device_id, polled_at, scanner_id, reading_id,
                                    device_status, printer_status, errors, min_supply_percent,
                                    total, snapshot)
    SELECT p_tenant, x.device_id, x.polled_at, x.scanner_id, x.reading_id,
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
    FROM (SELECT r.device_id, y.polled_at, y.scanner_id, y.reading_id, y.total,
                 y.document::jsonb AS snapshot
          FROM pm_range r
          CROSS JOIN LATERAL (SELECT * FROM readings y
                              WHERE y.tenant_id = p_tenant AND y.device_id = r.device_id
                              ORDER BY y.polled_at DESC, y.reading_id LIMIT 1) y
          LEFT JOIN device_latest o ON o.tenant_id = p_tenant AND o.device_id = r.device_id
          WHERE o.reading_id IS DISTINCT FROM y.reading_id) x
    ON CONFLICT (tenant_id, device_id) DO UPDATE SET
        polled_at = EXCLUDED.polled_at, scanner_id = EXCLUDED.scanner_id,
        reading_id = EXCLUDED.reading_id, device_status = EXCLUDED.device_status,
        printer_status = EXCLUDED.printer_status, errors = EXCLUDED.errors,
        min_supply_percent = EXCLUDED.min_supply_percent, total = EXCLUDED.total,
        snapshot = EXCLUDED.snapshot;

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
END $$;

CREATE OR REPLACE FUNCTION analytics_refresh(p_tenant uuid) RETURNS integer LANGUAGE plpgsql
    SET jit = off SET work_mem = '64MB' AS $$
DECLARE
    n  integer;
    tz text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM analytics_dirty WHERE tenant_id = p_tenant) THEN
        RETURN 0;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('printmon.analytics'), hashtext(p_tenant::text));
    tz := coalesce((SELECT time_zone FROM tenants WHERE tenant_id = p_tenant), 'UTC');

    CREATE TEMP TABLE pm_range ON COMMIT DROP AS
    WITH d AS (DELETE FROM analytics_dirty WHERE tenant_id = p_tenant RETURNING device_id, day)
    SELECT device_id, (pm_day_start(min(day)) AT TIME ZONE tz)::date AS from_day,
           ((pm_day_start(max(day) + 1) - interval '1 microsecond') AT TIME ZONE tz)::date
               AS to_day
    FROM d GROUP BY device_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        DROP TABLE pm_range;
        RETURN 0;
    END IF;
    PERFORM pm_refresh_ranges(p_tenant, tz, false);
    RETURN n;
END $$;

-- Rebuilds the counter days and months of one tenant in its current zone; returns the number of
-- devices rebuilt. Every counter row of the tenant is deleted first (a row of an old local day
-- may lie in no new range: switching from UTC+10 to UTC moves a day's last hours to the day
-- before), then each device's whole history is recomputed by pm_refresh_ranges, the refresh's
-- own code, so the rebuilt model is what refreshes of the same readings in that zone build. The
-- tenant rollups follow through V0006's triggers. Epochs, cartridge changes and the latest
-- state are instants and stay as they are.
--
-- analytics_dirty is left alone: an upload marking a device-day that a refresh has deleted
-- waits for that transaction to end (the unique index), and a rebuild is long. Readings
-- committed meanwhile keep their marks, and the next refresh folds them in, in the new zone.
-- Devices go in chunks of about 200,000 readings: one pass over a large tenant's whole history
-- would sort every counter value of it at once (~15 rows a reading), far past work_mem. All in
-- the caller's transaction: readers see the old model until it commits, then the new one
-- (their refreshes wait for the analytics lock meanwhile).
CREATE FUNCTION pm_rebuild_counters(p_tenant uuid) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n      integer;
    chunks integer;
    tz     text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('printmon.analytics'), hashtext(p_tenant::text));
    tz := coalesce((SELECT time_zone FROM tenants WHERE tenant_id = p_tenant), 'UTC');
    DELETE FROM counter_days WHERE tenant_id = p_tenant;
    DELETE FROM counter_months WHERE tenant_id = p_tenant;

    -- One pass over the tenant's readings index: each device's first and last local day and its
    -- chunk by the running count of readings.
    CREATE TEMP TABLE pm_rebuild ON COMMIT DROP AS
    SELECT device_id, (first_at AT TIME ZONE tz)::date AS first_day,
           (last_at AT TIME ZONE tz)::date AS last_day,
           ((sum(readings) OVER (ORDER BY device_id))::bigint - readings) / 200000 AS chunk
    FROM (SELECT device_id, min(polled_at) AS first_at, max(polled_at) AS last_at,
                 count(*) AS readings
          FROM readings WHERE tenant_id = p_tenant GROUP BY device_id) c;
    GET DIAGNOSTICS n = ROW_COUNT;
    SELECT coalesce(max(chunk) + 1, 0) INTO chunks FROM pm_rebuild;

    FOR i IN 0 .. chunks - 1 LOOP
        CREATE TEMP TABLE pm_range ON COMMIT DROP AS
        SELECT device_id, first_day AS from_day, last_day AS to_day FROM pm_rebuild
        WHERE chunk = i;
        PERFORM pm_refresh_ranges(p_tenant, tz, true);
    END LOOP;
    DROP TABLE pm_rebuild;
    RETURN n;
END $$;

CREATE FUNCTION pm_time_zone_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pm_rebuild_counters(NEW.tenant_id);
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_time_zone_changed AFTER UPDATE OF time_zone ON tenants
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
    EXECUTE FUNCTION pm_time_zone_changed();

-- Sets a tenant's zone; returns whether it changed (the read model was then rebuilt, by the
-- trigger above, before this returns). Errors: invalid_parameter_value (22023) for a name that
-- is not a zone of the tz database, no_data_found (P0002) for an unknown tenant; nothing
-- changes then.
CREATE FUNCTION pm_set_tenant_time_zone(p_tenant uuid, p_zone text) RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE
    current text;
BEGIN
    -- The row lock first, then (in the trigger) the analytics lock: the order every UPDATE of
    -- the column takes them in, so two changes of one tenant cannot deadlock.
    SELECT time_zone INTO current FROM tenants WHERE tenant_id = p_tenant FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('no tenant %s', p_tenant);
    END IF;
    IF current = p_zone THEN
        RETURN false;
    END IF;
    UPDATE tenants SET time_zone = p_zone WHERE tenant_id = p_tenant;
    RETURN true;
END $$;
