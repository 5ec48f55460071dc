-- printmon cloud schema, version 6: tenant-wide page volume per day and month, kept by the
-- rollups it is the sum of; an index for the device list's site filter. Forward-only.
--
-- Why: a tenant-wide page volume (the figure a dealer bills and a dashboard opens with) read one
-- row per device and counter: a month of 10,000 devices is 40,000 rows of counter_months joined
-- to devices (~20 ms of a server core; p99 160-200 ms at 16 clients on 2 cores), and the days
-- around the whole months of a custom period 40,000 rows of counter_days each (a half year:
-- ~1.2 s). Kept per tenant, day and counter name, it reads a handful of rows for any period.
--
-- Statement-level triggers on counter_days and counter_months apply each statement's rows
-- (added on insert, subtracted on delete) to tenant_days and tenant_months. Counter rows are
-- only ever deleted and inserted (the refresh rewrites a device's range; nothing updates them),
-- and a third trigger refuses an UPDATE, which would otherwise bypass the sums. The only writer
-- is analytics_refresh, serialised
-- per tenant by its advisory lock, so the kept rows of one tenant are never updated by two
-- transactions at once (unlike list_totals, no ingestion path waits on them).
--
-- Equivalence with the per-device answer: every counter row's device exists in `devices` (the
-- refresh derives them from readings, which reference devices, and devices are never deleted),
-- so the inner join of the per-device query drops nothing when no site or device filter is given.

CREATE TABLE tenant_days (
    tenant_id uuid   NOT NULL,
    day       date   NOT NULL,
    name      text   NOT NULL,
    pages     bigint NOT NULL,
    readings  bigint NOT NULL,
    epochs    bigint NOT NULL,
    PRIMARY KEY (tenant_id, day, name)
);

CREATE TABLE tenant_months (
    tenant_id uuid   NOT NULL,
    month     date   NOT NULL,
    name      text   NOT NULL,
    pages     bigint NOT NULL,
    readings  bigint NOT NULL,
    epochs    bigint NOT NULL,
    PRIMARY KEY (tenant_id, month, name)
);

-- No refresh may change the sources between the fill below and the triggers' creation.
LOCK TABLE counter_days, counter_months IN SHARE MODE;

INSERT INTO tenant_days (tenant_id, day, name, pages, readings, epochs)
SELECT tenant_id, day, name, sum(pages), sum(readings), sum(epochs)
FROM counter_days GROUP BY tenant_id, day, name;

INSERT INTO tenant_months (tenant_id, month, name, pages, readings, epochs)
SELECT tenant_id, month, name, sum(pages), sum(readings), sum(epochs)
FROM counter_months GROUP BY tenant_id, month, name;

-- TG_ARGV: the kept table and its period column (day or month), the same in the source table.
-- A counter row counts at least one reading, so a kept row whose readings fall to 0 has no
-- source rows left (the refresh deleted a range it did not refill) and is removed: the answer
-- then lists the same counter names as the per-device one.
CREATE FUNCTION pm_roll_up_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept   text := TG_ARGV[0];
    period text := TG_ARGV[1];
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO %1$I AS t (tenant_id, %2$I, name, pages, readings, epochs)'
            ' SELECT tenant_id, %2$I, name, sum(pages), sum(readings), sum(epochs) FROM changed'
            ' GROUP BY tenant_id, %2$I, name'
            ' ON CONFLICT (tenant_id, %2$I, name) DO UPDATE'
            ' SET pages = t.pages + EXCLUDED.pages, readings = t.readings + EXCLUDED.readings,'
            ' epochs = t.epochs + EXCLUDED.epochs', kept, period);
    ELSE
        EXECUTE format(
            'UPDATE %1$I t SET pages = t.pages - c.pages, readings = t.readings - c.readings,'
            ' epochs = t.epochs - c.epochs'
            ' FROM (SELECT tenant_id, %2$I AS period, name, sum(pages) AS pages,'
            ' sum(readings) AS readings, sum(epochs) AS epochs FROM changed'
            ' GROUP BY tenant_id, %2$I, name) c'
            ' WHERE t.tenant_id = c.tenant_id AND t.%2$I = c.period AND t.name = c.name',
            kept, period);
        EXECUTE format(
            'DELETE FROM %1$I t USING (SELECT DISTINCT tenant_id, %2$I AS period, name'
            ' FROM changed) c'
            ' WHERE t.tenant_id = c.tenant_id AND t.%2$I = c.period AND t.name = c.name'
            ' AND t.readings = 0', kept, period);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER counter_days_roll_up_insert AFTER INSERT ON counter_days
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION pm_roll_up_tenant('tenant_days', 'day');
CREATE TRIGGER counter_days_roll_up_delete AFTER DELETE ON counter_days
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION pm_roll_up_tenant('tenant_days', 'day');
CREATE TRIGGER counter_months_roll_up_insert AFTER INSERT ON counter_months
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION pm_roll_up_tenant('tenant_months', 'month');
CREATE TRIGGER counter_months_roll_up_delete AFTER DELETE ON counter_months
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION pm_roll_up_tenant('tenant_months', 'month');

CREATE FUNCTION pm_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are deleted and inserted, never updated (tenant rollups, V0006)',
        TG_TABLE_NAME;
END $$;
CREATE TRIGGER counter_days_no_update BEFORE UPDATE ON counter_days
    FOR EACH STATEMENT EXECUTE FUNCTION pm_refuse_update();
CREATE TRIGGER counter_months_no_update BEFORE UPDATE ON counter_months
    FOR EACH STATEMENT EXECUTE FUNCTION pm_refuse_update();

-- The device list's site filter (devices whose last scanner is at the site) scanned every device
-- of the tenant; a site of 500 out of 10,000 is now one index range per scanner of the site
-- (1.4 -> 0.3 ms for the filter alone, pgbench on the benchmark's database). The column only
-- changes when a device moves to another scanner.
CREATE INDEX devices_scanner ON devices (tenant_id, last_scanner_id);
