-- printmon cloud schema, version 10: one definition of a cartridge change, shared with the
-- scanner (printmon::supply::is_cartridge_change, shared/include/printmon/supply/cartridge.hpp):
-- a supply's level rising by at least 30 points between two readings that report a percentage,
-- or its serial changing. V0002 used 20 points while the scanner used 30, so the branch's and the
-- cloud's lists disagreed; 20 also took one step of a 20 % step device flickering at a boundary
-- for a new cartridge. Forward-only.
-- docs/cloud-api.md, "Cartridge changes and forecasts"; the test cloud_api_forecast_test
-- checks that the branch and the cloud find the same changes in the same history.

-- The threshold, once. Equal to printmon::supply::kCartridgeJumpPercent (a test compares them).
CREATE FUNCTION pm_cartridge_jump_percent() RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 30 $$;

-- Mirrors is_cartridge_change: a serial change (both known) or a rise of the threshold.
CREATE FUNCTION pm_is_cartridge_change(prev_pct integer, pct integer, prev_serial text,
                                       serial text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(prev_serial <> '' AND serial <> '' AND prev_serial <> serial, false)
        OR coalesce(pct - prev_pct >= pm_cartridge_jump_percent(), false)
$$;

-- Changes found with the old threshold that the new one does not call changes. Every change of
-- the new definition was one of the old (30 >= 20; supplies carry no serial yet), so nothing is
-- missing and no history needs recomputing.
DELETE FROM supply_changes WHERE level_percent - previous_percent < pm_cartridge_jump_percent();

-- pm_refresh_ranges of V0008, with the cartridge-change predicate replaced by the function
-- above (and the supply's serial, when the levels carry one, compared too). Nothing else changed.
CREATE OR REPLACE FUNCTION pm_refresh_ranges(p_tenant uuid, tz text, p_counters_only boolean) RETURNS void
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
               s ->> 'serial' AS supply_serial, lag(s ->> 'serial') OVER w AS prev_supply_serial,
               lag(x.polled_at) OVER w AS prev_at
        FROM pm_readings x
        CROSS JOIN LATERAL jsonb_array_elements(
            CASE WHEN jsonb_typeof(x.supply_levels) = 'array' THEN x.supply_levels ELSE '[]' END) s
        WHERE jsonb_typeof(s -> 'level_percent') = 'number'
        WINDOW w AS (PARTITION BY x.device_id,
                     concat_ws('/', s ->> 'type', s ->> 'color', s ->> 'description')
                     ORDER BY x.polled_at)
    ) q JOIN pm_range r USING (device_id)
    WHERE pm_is_cartridge_change(prev_pct, pct, prev_supply_serial, supply_serial)
      AND q.polled_at >= r.from_at
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

