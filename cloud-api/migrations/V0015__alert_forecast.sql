-- printmon cloud schema, version 15: the supply rule's optional forecast condition, and why a
-- supply alert holds. Forward-only.
--
-- alert_rules.forecast_days (supply_low only, NULL = off): the rule also holds for a consumed
-- supply whose days-to-empty forecast (printmon::supply::forecast, the same one
-- GET /api/v1/devices/{id} shows) is at most this many days. The forecast's expected value is
-- compared, not the low end of its range: the range is 80 % wide on purpose, and its low end
-- would open alerts weeks early on a young cartridge. "Not enough data" never holds.
ALTER TABLE alert_rules ADD COLUMN forecast_days integer
    CHECK (forecast_days BETWEEN 1 AND 365),
    ADD CONSTRAINT alert_rules_forecast_supply_only CHECK (forecast_days IS NULL OR kind = 'supply_low');

-- The forecast's days to empty when the forecast condition holds for this alert (NULL when only
-- the level does): what the console and the messages say "why" with.
ALTER TABLE alerts ADD COLUMN forecast_days double precision;
