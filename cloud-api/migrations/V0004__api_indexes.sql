-- printmon cloud schema, version 4: indexes for the analytics API's lists. Forward-only.

-- GET /api/v1/devices sorts by last_seen DESC NULLS LAST, device_id by default. With this order
-- (NULLS LAST spelt out: a plain DESC index is NULLS FIRST and would not match) the page query
-- reads the first LIMIT entries and stops, instead of sorting every device of the tenant.
CREATE INDEX devices_last_seen ON devices (tenant_id, last_seen DESC NULLS LAST, device_id);

-- GET /api/v1/supplies lists lowest level first: ORDER BY level_percent ASC NULLS LAST,
-- device_id, idx. The whole sort key lets the page stop after LIMIT rows, and the index also
-- serves the "below" filter (level_percent < n) and an index-only count of the total.
CREATE INDEX device_supplies_order ON device_supplies (tenant_id, level_percent, device_id, idx);

-- Its leading columns are device_supplies_level's: that index has no query left, and every
-- refresh rewrites device_supplies, so it would only cost writes.
DROP INDEX device_supplies_level;
