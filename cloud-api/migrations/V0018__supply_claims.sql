-- printmon cloud schema, version 18: a supply the printer itself calls low or empty without
-- giving a percentage counts as low on the fleet tiles and the device filter. Forward-only.
--
-- Many agents report a level only as "some remaining" (Printer-MIB -3) or a coarse state
-- (Brother's coded levels, an inkjet's ink-low bit); the scanner then sends the state the
-- printer claims with no level_percent. min_supply_percent ignores such supplies, so a device
-- whose printer says "toner low" was missing from "Supplies low" while its alerts and the
-- scanner's own page showed it. The column is kept by a trigger rather than by
-- analytics_refresh() so that every writer of device_latest (refresh, replicas, a future one)
-- keeps it without a copy of that function.

-- 2: a consumed supply without a level that the printer calls empty; 1: low; NULL: none.
ALTER TABLE device_latest ADD COLUMN supply_claim smallint;

CREATE FUNCTION pm_supply_claim(p_snapshot jsonb) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
    SELECT max(CASE s ->> 'state' WHEN 'empty' THEN 2 WHEN 'low' THEN 1 END)::smallint
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_snapshot -> 'supplies') = 'array'
                                   THEN p_snapshot -> 'supplies' ELSE '[]' END) s
    WHERE jsonb_typeof(s -> 'level_percent') IS DISTINCT FROM 'number'
      AND coalesce(s ->> 'class', 'consumed') = 'consumed'
$$;

CREATE FUNCTION pm_device_latest_claim() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.supply_claim := pm_supply_claim(NEW.snapshot);
    RETURN NEW;
END $$;

CREATE TRIGGER device_latest_claim BEFORE INSERT OR UPDATE OF snapshot ON device_latest
    FOR EACH ROW EXECUTE FUNCTION pm_device_latest_claim();

UPDATE device_latest SET supply_claim = pm_supply_claim(snapshot)
WHERE pm_supply_claim(snapshot) IS NOT NULL;

-- The supplies list's "below" filter takes them too; this keeps that branch of its OR an
-- index read instead of a scan of the tenant's supplies.
CREATE INDEX device_supplies_claimed ON device_supplies (tenant_id)
    WHERE level_percent IS NULL AND state IN ('low', 'empty');
