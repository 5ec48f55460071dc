-- printmon cloud schema, version 19: the supplies list sorts and filters a supply the printer
-- calls empty or low without a percentage as 0 % and 1 %. Forward-only.
--
-- GET /api/v1/supplies lists lowest first to order from; NULLS LAST put a toner the printer
-- itself calls low (no gauge, only "some remaining" and a low alert) at the very end, below
-- every full cartridge. sort_level keeps the real percentage where there is one and places
-- such claims at the top: empty with 0 %, low with 1 % (a claim is no number, so it ties with
-- the lowest real levels instead of guessing one). The "below" filter reads the same key, so
-- "below 1" takes the empties and "below 2" and up the lows too, as V0018 defined it.
ALTER TABLE device_supplies ADD COLUMN sort_level integer GENERATED ALWAYS AS (
    coalesce(level_percent, CASE state WHEN 'empty' THEN 0 WHEN 'low' THEN 1 END)) STORED;

-- The whole sort key, so a page stops after LIMIT rows and the count is index-only (V0004).
CREATE INDEX device_supplies_sort ON device_supplies (tenant_id, sort_level, device_id, idx);
DROP INDEX device_supplies_order;
DROP INDEX device_supplies_claimed;
