-- printmon cloud schema, version 17: when the analytics read model was last brought up to date,
-- as every replica can see it. Forward-only.
--
-- Only the replica that holds the refresh leadership (storage/leader.hpp) refreshes, so a
-- per-process "last refresh" made printmon_cloud_refresh_lag_seconds grow without bound on
-- every other replica, and an operator could not tell a stalled refresh from a follower. The
-- leader stamps this one row after each completed refresh; every replica reports its age.
-- Platform state, not tenant data: one refresh covers every tenant.
CREATE TABLE refresh_status (
    singleton     boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    -- Start of the last completed refresh: every write committed before it is in the read model.
    refreshed_at  timestamptz NOT NULL
);
