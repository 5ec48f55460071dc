-- printmon cloud schema, version 22: supply forecasts kept between readings. Forward-only.
--
-- A forecast reads the device's last months of raw readings (about 4 ms a device): the
-- console's Supplies page with forecasts spent 212 ms on 50 devices, and 16 users opening it
-- shared 2.4 pages a second (docs/benchmarks.md). The refresh leader now computes each device's
-- forecasts once per change of its history (api::refresh_forecasts) and readers take them from
-- here; a reader that finds none current computes them as before, so the cache decides only
-- speed, never an answer. "Current" is exact, not a time to live:
--   - devices.history_gen counts the batches that brought the device readings. Ingest bumps it
--     in the statement that already locks the device row (ingest_upsert_devices), before it
--     stores the readings, so a reading that arrives late from an offline file (older than the
--     newest: device_latest unchanged) makes the forecast stale too. The leader reads the
--     generation before it reads the history: a batch stored in between is in the history, or
--     has moved the generation on.
--   - reading_id: the newest reading (device_latest) whose supplies the forecasts belong to.
--   - algo: printmon::supply::kForecastRevision, so a deploy with a changed forecast recomputes.
--   - computed_at: the window read starts at the tenant's raw horizon (V0013), which moves with
--     time; forecasts computed more than a day ago are recomputed.
ALTER TABLE devices ADD COLUMN history_gen bigint NOT NULL DEFAULT 0;

CREATE TABLE device_forecasts (
    tenant_id   uuid        NOT NULL,
    device_id   uuid        NOT NULL,
    history_gen bigint      NOT NULL,
    reading_id  uuid        NOT NULL,
    algo        integer     NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    -- One element per element of the snapshot's supplies array, in its order: null for a
    -- receptacle (waste toner) or an element that is no supply; else the supply's identity and
    -- its forecast (api/forecasts.cpp writes and reads the members).
    forecasts   jsonb       NOT NULL CHECK (jsonb_typeof(forecasts) = 'array'),
    PRIMARY KEY (tenant_id, device_id),
    FOREIGN KEY (tenant_id, device_id) REFERENCES devices (tenant_id, device_id) ON DELETE CASCADE
);

-- Whether a device's kept forecasts are current, by the rules above: one definition for the
-- readers (a join condition) and the leader's work list (its negation). Inlined by the planner.
CREATE FUNCTION pm_forecast_current(kept_gen bigint, kept_reading uuid, kept_algo integer,
                                    kept_at timestamptz, device_gen bigint, newest_reading uuid,
                                    algo integer)
    RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    RETURN kept_gen = device_gen AND kept_reading = newest_reading AND kept_algo = algo
        AND kept_at >= now() - interval '1 day';
