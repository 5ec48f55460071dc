-- printmon cloud schema, version 12: raw readings partitioned by calendar month (UTC) of
-- polled_at. Forward-only.
--
-- Why: readings are by far the largest table (~700 B a reading with its indexes: 100,000
-- devices at 15 minutes add ~6.7 GB a day). Raw readings are now kept for a limited time per
-- tenant (V0013) while the day and month rollups stay for ever; with one partition per month,
-- letting a month go is DROP TABLE of its partition (no DELETE, no dead tuples, no vacuum, no
-- index bloat), and reads of a time range prune the months they do not need.
--
-- Partitions are managed by SQL functions of this schema, called from cloud-api's existing
-- background thread (pm_readings_maintain, V0013), not by pg_partman: the job is three
-- statements (create next months, move strays out of the default partition, drop past
-- months), it is tested with the schema it belongs to, and the database needs no extension
-- (the test clusters, a managed PostgreSQL and the container image all work as they are).
--
-- Idempotent ingest: a unique index of a partitioned table must contain the partition key,
-- so the primary key becomes (tenant_id, scanner_id, reading_id, polled_at). A reading id
-- always comes with the same polled_at (the branch fixes both when it stores the reading and
-- never changes them; protocol.md), so a duplicate has the same key and lands in the same
-- partition, where the partition's unique index refuses it as before (tested:
-- tests/cloud-api/partition_test.cpp). No second, unpartitioned id table is needed: it would
-- cost one more index insert per reading on the ingest path and grow without bound.
--
-- A DEFAULT partition takes readings of a month that has no partition yet (a branch whose clock
-- is far off, an old export file): ingest never fails for want of a partition. The maintenance
-- moves such rows into their month's partition when it creates it.
--
-- Migration of a filled database: the rows are copied into the new table month by month, and
-- the primary key, the index and the foreign key are built once afterwards (faster than
-- maintaining them row by row). Measured in docs/benchmarks.md ("Partitioned readings").

ALTER TABLE readings RENAME TO readings_unpartitioned;
ALTER INDEX readings_pkey RENAME TO readings_unpartitioned_pkey;
ALTER INDEX readings_device_time RENAME TO readings_unpartitioned_device_time;
DROP TRIGGER readings_mark_dirty ON readings_unpartitioned;

CREATE TABLE readings (
    tenant_id     uuid        NOT NULL,
    scanner_id    text        NOT NULL,
    reading_id    uuid        NOT NULL,
    device_id     uuid        NOT NULL,
    polled_at     timestamptz NOT NULL,
    total         bigint,
    received_at   timestamptz NOT NULL DEFAULT now(),
    batch_id      uuid        NOT NULL,
    document      text        COMPRESSION lz4 NOT NULL,
    counters      jsonb       NOT NULL DEFAULT '{}',
    supply_levels jsonb       NOT NULL DEFAULT '[]',
    serial        text        NOT NULL DEFAULT ''
) PARTITION BY RANGE (polled_at);

CREATE TABLE readings_default PARTITION OF readings DEFAULT;

-- The partition of the UTC month starting at `p_month` (first day of a month): its name.
CREATE FUNCTION pm_readings_partition_name(p_month date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'readings_p' || to_char(p_month, 'YYYYMM');

-- Creates the partition of the UTC month starting at `p_month` unless it exists; returns
-- whether it did. Rows of that month waiting in the default partition are moved into it first.
-- The new table is filled while still standalone and attached afterwards: CREATE TABLE ...
-- PARTITION OF would hold an ACCESS EXCLUSIVE lock on `readings` (stopping ingest) while the
-- default partition is scanned; ATTACH takes SHARE UPDATE EXCLUSIVE on `readings` (ingest goes
-- on) and an exclusive lock on the default partition only, which is small.
CREATE FUNCTION pm_readings_create_partition(p_month date) RETURNS boolean
    LANGUAGE plpgsql AS $$
DECLARE
    name  constant text        := pm_readings_partition_name(p_month);
    lower constant timestamptz := p_month::timestamp AT TIME ZONE 'UTC';
    upper constant timestamptz := (p_month + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
    IF p_month <> date_trunc('month', p_month)::date THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('%s is not the first day of a month', p_month);
    END IF;
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE readings INCLUDING DEFAULTS INCLUDING COMPRESSION)',
                   name);
    -- The bound as a constraint: ATTACH then skips its validation scan.
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (polled_at >= %L AND polled_at < %L)',
                   name, name || '_bound', lower, upper);
    EXECUTE format('WITH moved AS (DELETE FROM readings_default WHERE polled_at >= %L'
                   ' AND polled_at < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                   lower, upper, name);
    EXECUTE format('ALTER TABLE readings ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   name, lower, upper);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', name, name || '_bound');
    RETURN true;
END $$;

-- Partitions for every month of the stored readings (within 30 years back and 3 months ahead:
-- anything else waits in the default partition) and for this month and the next three.
SELECT pm_readings_create_partition(m)
FROM (SELECT DISTINCT date_trunc('month', polled_at AT TIME ZONE 'UTC')::date AS m
      FROM readings_unpartitioned
      UNION
      SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + k * interval '1 month')::date
      FROM generate_series(0, 3) k) months
WHERE m >= (now() AT TIME ZONE 'UTC' - interval '30 years')::date
  AND m <= (now() AT TIME ZONE 'UTC' + interval '4 months')::date
ORDER BY m;

INSERT INTO readings (tenant_id, scanner_id, reading_id, device_id, polled_at, total, received_at,
                      batch_id, document, counters, supply_levels, serial)
SELECT tenant_id, scanner_id, reading_id, device_id, polled_at, total, received_at, batch_id,
       document, counters, supply_levels, serial
FROM readings_unpartitioned;

DROP TABLE readings_unpartitioned;

ALTER TABLE readings ADD PRIMARY KEY (tenant_id, scanner_id, reading_id, polled_at);
CREATE INDEX readings_device_time ON readings (tenant_id, device_id, polled_at);
ALTER TABLE readings ADD FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, device_id);

-- V0002's trigger, now on the partitioned table (statement-level with a transition table: one
-- small insert per batch, whichever partitions the rows went to).
CREATE TRIGGER readings_mark_dirty AFTER INSERT ON readings
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION analytics_mark_dirty();

ANALYZE readings;
