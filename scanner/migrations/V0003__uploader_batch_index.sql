-- Uploader: find the rows of one upload batch without scanning the whole table. A pending batch
-- is rebuilt from the rows stamped with its id on every retry and on export, and
-- upload_batches' ON DELETE SET NULL needs the same lookup. (V0002 is reserved for web users.)
CREATE INDEX readings_batch ON readings (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX events_batch ON events (batch_id) WHERE batch_id IS NOT NULL;
