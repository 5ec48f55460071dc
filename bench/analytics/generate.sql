-- Synthetic fleet for bench/analytics/run: :devices printers of one tenant over 20 scanners
-- (sites site-00..site-19) through the year 2025 (hourly by default; daily before
-- $PRINTMON_BENCH_HOURLY_FROM when set), four counters a reading (total, mono, color,
-- print_total), written straight into `readings` day by day by pm_bench_day(day, per_day);
-- the run script refreshes the read model (analytics_refresh) after each week as the service
-- would after those uploads. Counter values: a per-device base plus a per-device hourly rate;
-- one device in 100 has a counter reset on 2025-06-15.
--
-- Disk: a stored reading of this fleet takes ~650 B with its indexes (heap 481 B, indexes
-- 165 B, measured), so the whole year of hourly readings (87.6 M) takes ~57 GB. The stored
-- document of a reading is the minimal one ({"counters": ...}) except for the year's last reading of each
-- device, which carries status and supplies (device_latest and the supplies list are built from
-- the latest document). Counters, serial and supply levels — all the read model takes from a
-- reading — are those of a real reading.
\set ON_ERROR_STOP on
\timing off

INSERT INTO scanners (tenant_id, scanner_id, name, site, key_hash, key_prefix, last_seen_at)
SELECT :'tenant', format('scanner-%s', lpad(s::text, 2, '0')), 'bench',
       format('site-%s', lpad(s::text, 2, '0')), sha256(convert_to(s::text || :'tenant', 'UTF8')),
       'pmk.bench', now()
FROM generate_series(0, 19) s;

INSERT INTO devices (tenant_id, device_id, identity_key, vendor, model, serial, mac, location,
                     last_address, last_scanner_id, first_seen, last_seen)
SELECT :'tenant', md5('bench-device-' || i)::uuid, 'serial:bench:' || i,
       (ARRAY['HP', 'Ricoh', 'Kyocera', 'Canon', 'Brother'])[1 + i % 5],
       'Model ' || (i % 40), 'BENCH' || i, '', 'Floor ' || (i % 7),
       format('10.%s.%s.%s', i / 65536 % 256, i / 256 % 256, i % 256),
       format('scanner-%s', lpad((i % 20)::text, 2, '0')), '2025-01-01', '2025-12-31 23:00'
FROM generate_series(1, :devices) i;

CREATE FUNCTION pm_bench_day(p_tenant uuid, p_devices integer, p_day date, p_per_day integer)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO readings (tenant_id, scanner_id, reading_id, device_id, polled_at, total,
                          batch_id, serial, counters, supply_levels, document)
    SELECT p_tenant, format('scanner-%s', lpad((i % 20)::text, 2, '0')), gen_random_uuid(),
           md5('bench-device-' || i)::uuid, ts, v, md5('bench-batch')::uuid, 'BENCH' || i,
           counters,
           jsonb_build_array(jsonb_build_object('type', 'toner', 'color', 'black',
                                                'description', 'Black Toner',
                                                'level_percent', level)),
           CASE WHEN ts < '2025-12-31 23:00+00' THEN jsonb_build_object('counters', counters)
           ELSE jsonb_build_object(
               'identity', jsonb_build_object('vendor', 'HP', 'serial', 'BENCH' || i),
               'counters', counters,
               'supplies', jsonb_build_array(jsonb_build_object(
                   'description', 'Black Toner', 'type', 'toner', 'color', 'black',
                   'class', 'consumed', 'level_percent', level, 'state', 'ok')),
               'status', jsonb_build_object('device', CASE WHEN i % 50 = 0 THEN 'warning'
                                                           ELSE 'running' END,
                                            'printer', 'idle', 'errors', '[]'::jsonb)) END::text
    FROM generate_series(1, p_devices) i
    CROSS JOIN generate_series((p_day::timestamp AT TIME ZONE 'UTC') + interval '23 hours'
                                   - (p_per_day - 1) * (interval '24 hours' / p_per_day),
                               (p_day::timestamp AT TIME ZONE 'UTC') + interval '23 hours',
                               interval '24 hours' / p_per_day) ts
    CROSS JOIN LATERAL (SELECT extract(epoch FROM ts - '2025-01-01 00:00+00')::bigint / 3600
                                   AS hour) h
    CROSS JOIN LATERAL (SELECT CASE WHEN i % 100 = 0 AND ts >= '2025-06-15 00:00+00'
                                    THEN (h.hour - 3960) * (2 + i % 9)
                                    ELSE 100000 + i * 10 + h.hour * (2 + i % 9) END::bigint AS v,
                               100 - (h.hour / 24 * (1 + i % 3)) % 100 AS level) c
    CROSS JOIN LATERAL (SELECT jsonb_build_object('total', v, 'mono', v * 7 / 10,
                                                  'color', v - v * 7 / 10,
                                                  'print_total', v * 8 / 10) AS counters) k;
END $$;
