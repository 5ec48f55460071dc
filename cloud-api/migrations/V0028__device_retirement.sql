-- printmon cloud schema, version 28: a device can be retired (taken out of the fleet) and
-- brought back. Forward-only.
--
-- Printers are replaced, sold, moved to a storeroom. Until now a device stayed in the fleet for
-- ever: counted offline on the fleet tiles, its last supplies on the order list, its silence an
-- alert. An admin now retires it: it leaves the device list (unless asked for), the fleet tiles,
-- the supplies list and the alert rules; its history stays whole (page volume, meter reads,
-- events and cartridge changes are what happened, and a final meter read is billed). Readings
-- that still arrive are kept and shown on its page, but do not bring it back: retiring is the
-- admin's decision, undone only by restoring it (docs/cloud-api.md, "Retired devices").
ALTER TABLE devices
    ADD COLUMN retired_at   timestamptz,
    ADD COLUMN retired_note text NOT NULL DEFAULT '' CHECK (length(retired_note) <= 500);

-- The retired devices of a tenant, for the statements that drop them (few rows, if any).
CREATE INDEX devices_retired ON devices (tenant_id, device_id) WHERE retired_at IS NOT NULL;

-- The kept list totals (V0005) count devices in service and their supplies. Devices enter the
-- list total when inserted (never retired then) and leave it when deleted unless retired; a
-- retirement or a restore moves one device and its supplies out of or into the totals.
CREATE FUNCTION pm_count_devices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_total_deltas (tenant_id, list, delta)
        SELECT tenant_id, 'devices', count(*) FROM new_rows WHERE retired_at IS NULL
        GROUP BY tenant_id;
    ELSE
        INSERT INTO list_total_deltas (tenant_id, list, delta)
        SELECT tenant_id, 'devices', -count(*) FROM old_rows WHERE retired_at IS NULL
        GROUP BY tenant_id;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER devices_count_insert ON devices;
DROP TRIGGER devices_count_delete ON devices;
CREATE TRIGGER devices_count_insert AFTER INSERT ON devices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pm_count_devices();
CREATE TRIGGER devices_count_delete AFTER DELETE ON devices
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pm_count_devices();

-- A retired device has no rows in device_supplies (the supplies list and the supply rules read
-- that table): retiring deletes them (their delete trigger takes them out of the kept total),
-- restoring has the read model's refresh write them again from its latest reading.
CREATE FUNCTION pm_device_retirement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.retired_at IS NULL AND NEW.retired_at IS NOT NULL THEN
        INSERT INTO list_total_deltas (tenant_id, list, delta) VALUES (NEW.tenant_id, 'devices', -1);
        DELETE FROM device_supplies WHERE tenant_id = NEW.tenant_id AND device_id = NEW.device_id;
    ELSIF OLD.retired_at IS NOT NULL AND NEW.retired_at IS NULL THEN
        INSERT INTO list_total_deltas (tenant_id, list, delta) VALUES (NEW.tenant_id, 'devices', 1);
        -- The refresh rewrites its supplies from its latest reading, as for any device: the
        -- day of that reading is marked for it (the next read refreshes before it answers).
        INSERT INTO analytics_dirty (tenant_id, device_id, day)
        SELECT l.tenant_id, l.device_id, (l.polled_at AT TIME ZONE 'UTC')::date
        FROM device_latest l WHERE l.tenant_id = NEW.tenant_id AND l.device_id = NEW.device_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER devices_retirement AFTER UPDATE OF retired_at ON devices
    FOR EACH ROW EXECUTE FUNCTION pm_device_retirement();

-- The refresh (pm_refresh_ranges) rewrites device_supplies from the latest state of every
-- device with new readings, a retired one included: its rows are taken out again in the same
-- statement's trigger. One statement-level join with the few retired devices, by the partial
-- index above; nothing when a tenant has none.
CREATE FUNCTION pm_drop_retired_supplies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM device_supplies ds USING (SELECT DISTINCT n.tenant_id, n.device_id
                                          FROM new_rows n) n, devices d
    WHERE d.tenant_id = n.tenant_id AND d.device_id = n.device_id AND d.retired_at IS NOT NULL
      AND ds.tenant_id = n.tenant_id AND ds.device_id = n.device_id;
    RETURN NULL;
END $$;
CREATE TRIGGER device_supplies_retired AFTER INSERT ON device_supplies
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION pm_drop_retired_supplies();

-- Statistics for the new column now, not at autovacuum's next analyze: without them the planner
-- takes `retired_at IS NULL` (every device list, the fleet tiles, the sites) to match 0.5 % of
-- the devices and picks nested loops for what is the whole fleet (bench/analytics/retired:
-- fleet summary p50 191 -> 337 ms, sites 144 -> 276 ms on 10,000 devices until analyzed).
ANALYZE devices;
