-- printmon cloud schema, version 9: each scanner's upload backlog, for the console's "Sites and
-- scanners" health. Forward-only. (V0008 belongs to other work; this file does not depend on it.)
--
-- Copied from the optional "outbox" member of the scanner's latest online batch (protocol.md):
-- readings and events still waiting in the branch besides that batch, and the polled_at of the
-- oldest waiting reading. NULL = not reported: a scanner that has not uploaded yet, or whose
-- uploader predates the member. Set together with last_seen_at, so the figures are "as of
-- last_seen_at"; imports (offline files) do not touch them.
ALTER TABLE scanners
    ADD COLUMN last_backlog_readings  integer     CHECK (last_backlog_readings >= 0),
    ADD COLUMN last_backlog_events    integer     CHECK (last_backlog_events >= 0),
    ADD COLUMN last_backlog_oldest_at timestamptz;
