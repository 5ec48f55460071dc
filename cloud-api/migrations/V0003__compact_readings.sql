-- printmon cloud schema, version 3: compact raw readings. Forward-only.
--
-- Why: ingestion spent most of its time in PostgreSQL parsing each ~2.5 KB snapshot into jsonb
-- and writing ~15 reading_counters rows (each with its own index entry) per reading. The raw
-- snapshot is an archive: the API returns it whole and never searches inside it, so it is kept
-- as text (compressed with lz4, cheaper than pglz) and parsed only when read. What the read
-- model needs from every reading is written beside it by cloud-api, which has parsed the
-- reading anyway: the counters object, the supply levels and the serial.

ALTER TABLE readings
    ADD COLUMN document      text COMPRESSION lz4,
    ADD COLUMN counters      jsonb NOT NULL DEFAULT '{}',
    -- [{"type", "color", "description", "level_percent"}] of the supplies reporting a
    -- percentage: all cartridge-change detection needs, without opening the document.
    ADD COLUMN supply_levels jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN serial_text   text NOT NULL DEFAULT '';

UPDATE readings SET
    document = snapshot::text,
    counters = CASE WHEN jsonb_typeof(snapshot -> 'counters') = 'object'
                    THEN snapshot -> 'counters' ELSE '{}' END,
    supply_levels = coalesce((
        SELECT jsonb_agg(jsonb_build_object('type', coalesce(s ->> 'type', ''),
                                            'color', coalesce(s ->> 'color', ''),
                                            'description', coalesce(s ->> 'description', ''),
                                            'level_percent', s -> 'level_percent'))
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(snapshot -> 'supplies') = 'array'
                                       THEN snapshot -> 'supplies' ELSE '[]' END) s
        WHERE jsonb_typeof(s -> 'level_percent') = 'number'), '[]'),
    serial_text = coalesce(serial, '');

ALTER TABLE readings DROP COLUMN serial;
ALTER TABLE readings DROP COLUMN snapshot;
ALTER TABLE readings RENAME COLUMN serial_text TO serial;
ALTER TABLE readings ALTER COLUMN document SET NOT NULL;

DROP TABLE reading_counters;

-- The read model now takes counters, serials and supply levels from the readings themselves;
-- otherwise unchanged from V0002 (see there for the range and epoch rules).
-- jit off: compiling the plans cost more than running them (measured 0.4 s per refresh);
-- work_mem: the window sorts of a large refresh stay in memory.
CREATE OR REPLACE FUNCTION analytics_refresh(p_tenant uuid) RETURNS integer LANGUAGE plpgsql
    SET jit = off SET work_mem = '64MB' AS $$
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
           x.device_id, x.polled_at, x.reading_id, x.serial, x.counters, x.supply_levels
    FROM pm_range r
    JOIN readings x ON x.tenant_id = p_tenant AND x.device_id = r.device_id
                   AND x.polled_at >= r.lookback_at AND x.polled_at < pm_day_start(r.to_day + 1)
    ORDER BY x.device_id, x.polled_at, x.reading_id;
    ANALYZE pm_readings;

    CREATE INDEX ON pm_readings (device_id, polled_at);

    -- Counter sequences with the previous reading of each counter name. The window runs per
    -- reading, not per counter (15x fewer rows to sort): each counter is compared with the
    -- previous reading's value of it. A counter missing from the previous reading (one vendor
    -- OID that timed out in one poll) is compared with the last reading that had it instead,
    -- looked up one by one: rare, and never a lost delta.
    -- Narrow rows (1.5 M for 100 k readings of 15 counters): the reading ids of the rare epoch
    -- changes are looked up afterwards from pm_readings by (device_id, polled_at).
    CREATE TEMP TABLE pm_seq ON COMMIT DROP AS
    WITH pairs AS (
        SELECT x.device_id, x.polled_at, x.serial, x.counters,
               lag(x.polled_at) OVER w AS prev_at, lag(x.serial) OVER w AS prev_serial,
               lag(x.counters) OVER w AS prev_counters
        FROM pm_readings x
        WINDOW w AS (PARTITION BY x.device_id ORDER BY x.polled_at)
    ), pts AS MATERIALIZED (
        SELECT p.device_id, c.key AS name, p.polled_at, c.value::bigint AS value, p.serial,
               p.prev_at, (p.prev_counters ->> c.key)::bigint AS prev_value, p.prev_serial,
               p.prev_counters IS NOT NULL AND NOT (p.prev_counters ? c.key) AS gap
        FROM pairs p CROSS JOIN LATERAL jsonb_each_text(p.counters) c
    ), seq AS (
        SELECT device_id, name, polled_at, value, serial, prev_at, prev_value, prev_serial
        FROM pts WHERE NOT gap
        UNION ALL
        SELECT g.device_id, g.name, g.polled_at, g.value, g.serial, f.polled_at, f.value,
               f.serial
        FROM pts g
        LEFT JOIN LATERAL (
            SELECT y.polled_at, (y.counters ->> g.name)::bigint AS value, y.serial
            FROM pm_readings y
            WHERE y.device_id = g.device_id AND y.polled_at < g.prev_at AND y.counters ? g.name
            ORDER BY y.polled_at DESC LIMIT 1) f ON true
        WHERE g.gap
    ), classified AS (
        SELECT s.device_id, s.name, s.polled_at, s.value, s.prev_at, s.prev_value, CASE
            WHEN prev_value IS NULL THEN NULL
            WHEN serial <> '' AND prev_serial <> '' AND serial <> prev_serial THEN 'serial_change'
            WHEN value < prev_value AND prev_value < 4294967296
                 AND prev_value >= 4294967296 - 16777216 AND value < 16777216 THEN 'wrap'
            WHEN value < prev_value THEN 'decrease' END AS epoch
        FROM seq s
    )
    SELECT c.device_id, c.name, c.polled_at, c.epoch, CASE
            WHEN c.prev_value IS NULL THEN 0
            WHEN c.epoch IS NULL THEN c.value - c.prev_value
            WHEN c.epoch = 'wrap' THEN c.value + 4294967296 - c.prev_value
            ELSE 0 END AS delta,
           CASE WHEN c.epoch IS NOT NULL THEN c.value END AS value,
           CASE WHEN c.epoch IS NOT NULL THEN c.prev_at END AS prev_at,
           CASE WHEN c.epoch IS NOT NULL THEN c.prev_value END AS prev_value
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
    SELECT p_tenant, e.device_id, e.name, e.polled_at, e.epoch, cur.reading_id, e.value,
           nullif(cur.serial, ''), prev.reading_id, e.prev_at, e.prev_value,
           nullif(prev.serial, '')
    FROM pm_seq e
    JOIN pm_readings cur ON cur.device_id = e.device_id AND cur.polled_at = e.polled_at
    JOIN pm_readings prev ON prev.device_id = e.device_id AND prev.polled_at = e.prev_at
    WHERE e.epoch IS NOT NULL;

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
            CASE WHEN jsonb_typeof(x.supply_levels) = 'array' THEN x.supply_levels ELSE '[]' END) s
        WHERE jsonb_typeof(s -> 'level_percent') = 'number'
        WINDOW w AS (PARTITION BY x.device_id,
                     concat_ws('/', s ->> 'type', s ->> 'color', s ->> 'description')
                     ORDER BY x.polled_at)
    ) q JOIN pm_range r USING (device_id)
    WHERE pct - prev_pct >= 20 AND q.polled_at >= pm_day_start(r.from_day)
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
    RETURN n;
END $$;
