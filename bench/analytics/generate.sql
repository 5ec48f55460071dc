-- Synthetic fleet for bench/analytics/run: :devices printers of one tenant over 20 scanners
-- (sites site-00..site-19), one reading per device per day for the year 2025, four counters
-- each (total, mono, color, print_total). Written straight into the ingestion tables (readings,
-- reading_counters) month by month, and the read model is refreshed after every month as the
-- service would after that month's uploads. Counter values: a per-device base plus a per-device
-- daily rate; one device in 100 has a counter reset on 2025-06-15.
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
       format('scanner-%s', lpad((i % 20)::text, 2, '0')), '2025-01-01', '2025-12-31 12:00'
FROM generate_series(1, :devices) i;

CREATE FUNCTION pm_bench_month(p_tenant uuid, p_devices integer, p_month date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO readings (tenant_id, scanner_id, reading_id, device_id, polled_at, snapshot,
                          total, batch_id)
    SELECT p_tenant, format('scanner-%s', lpad((i % 20)::text, 2, '0')), gen_random_uuid(),
           md5('bench-device-' || i)::uuid, ts,
           jsonb_build_object(
               'identity', jsonb_build_object('vendor', 'HP', 'serial', 'BENCH' || i),
               'counters', jsonb_build_object('total', v, 'mono', v * 7 / 10,
                                              'color', v - v * 7 / 10, 'print_total', v * 8 / 10),
               'supplies', jsonb_build_array(jsonb_build_object(
                   'description', 'Black Toner', 'type', 'toner', 'color', 'black',
                   'class', 'consumed', 'level_percent', 100 - (doy * (1 + i % 3)) % 100,
                   'state', 'ok')),
               'status', jsonb_build_object('device', CASE WHEN i % 50 = 0 THEN 'warning'
                                                           ELSE 'running' END,
                                            'printer', 'idle', 'errors', '[]'::jsonb)),
           v, md5('bench-batch')::uuid
    FROM generate_series(1, p_devices) i
    CROSS JOIN generate_series(p_month + time '12:00',
                               (p_month + interval '1 month' - interval '1 day') + time '12:00',
                               interval '1 day') ts
    CROSS JOIN LATERAL (SELECT extract(doy FROM ts)::integer AS doy) d
    CROSS JOIN LATERAL (SELECT CASE WHEN i % 100 = 0 AND ts >= '2025-06-15'
                                    THEN (doy - 165) * (50 + i % 200)
                                    ELSE 100000 + i * 10 + doy * (50 + i % 200) END::bigint AS v) c;

    INSERT INTO reading_counters (tenant_id, device_id, name, polled_at, value)
    SELECT r.tenant_id, r.device_id, c.key, r.polled_at, c.value::bigint
    FROM readings r CROSS JOIN LATERAL jsonb_each_text(r.snapshot -> 'counters') c
    WHERE r.tenant_id = p_tenant AND r.polled_at >= p_month
      AND r.polled_at < p_month + interval '1 month';
END $$;
