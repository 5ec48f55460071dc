-- Retention (bounded storage): the scanner prunes sent readings, events and upload batches past
-- the ages of scanner.toml [retention], in small batches on its DB thread. Unsent rows are never
-- pruned. (V0004 is another branch's.)

-- The last reading of a device in a UTC day, kept past the raw age (up to the daily age) so the
-- UI's long views and a device's daily counters survive. Set by the pruner only, on sent rows,
-- when it meets a reading past the raw age that no later reading of the same day supersedes.
ALTER TABLE readings ADD COLUMN daily boolean NOT NULL DEFAULT false;

-- What each pruning pass walks, oldest first. Rationale: the partial indexes hold only the rows
-- a pass may touch, so a batch never rescans the daily readings it kept or the unsent queue.
CREATE INDEX readings_prunable ON readings (polled_at) WHERE sent_at IS NOT NULL AND NOT daily;
CREATE INDEX readings_daily ON readings (polled_at) WHERE daily;
CREATE INDEX events_sent ON events (at) WHERE sent_at IS NOT NULL;
CREATE INDEX upload_batches_sent ON upload_batches (sent_at) WHERE state = 'sent';

-- Steady deletes: vacuum sooner than the default 20 % of dead rows, so the space freed by each
-- pass is reused by the next inserts and the files stop growing at the retention horizon.
ALTER TABLE readings SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000);
ALTER TABLE events SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_threshold = 1000);
ALTER TABLE upload_batches SET (autovacuum_vacuum_scale_factor = 0.05);
