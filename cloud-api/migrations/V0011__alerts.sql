-- printmon cloud schema, version 11: alert rules, the alerts they raise, notification channels
-- and the notification outbox with its delivery log. Forward-only.
--
-- The read model's /api/v1/alerts (device errors from scanner events) stays as it is; these are
-- the tenant's *managed* alerts: raised by rules, opened once, resolved by themselves,
-- acknowledged and snoozed by people, and told to people through channels.

-- A rule: what to watch (kind + threshold), where (scope: site, vendor, device; NULL = any),
-- and whom to tell (rule_channels). threshold's unit depends on the kind:
--   supply_low       percent (0..100): a consumed supply at or below it (or reported empty)
--   device_error     minutes (0..10080): a critical status error or alert-table row open so long
--   device_silent    hours (1..8760): the device has not answered a poll for so long
--   scanner_silent   hours (1..8760): the scanner has not uploaded for so long
--   counter_anomaly  pages per minute (1..100000): the total counter went backwards, or rose
--                    faster than this between two readings
-- repeat_minutes: at most one message per rule, target, subject and channel in this period (a
-- flapping device does not storm); notify_resolved: also tell when it clears.
CREATE TABLE alert_rules (
    tenant_id       uuid        NOT NULL REFERENCES tenants (tenant_id),
    rule_id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind            text        NOT NULL CHECK (kind IN ('supply_low', 'device_error',
                                    'device_silent', 'scanner_silent', 'counter_anomaly')),
    threshold       integer     NOT NULL CHECK (threshold >= 0),
    site            text,
    vendor          text,
    device_id       uuid,
    enabled         boolean     NOT NULL DEFAULT true,
    repeat_minutes  integer     NOT NULL DEFAULT 60 CHECK (repeat_minutes BETWEEN 0 AND 10080),
    notify_resolved boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, rule_id)
);

-- Where messages go: an e-mail address (in the recipient's language, optionally as one daily
-- digest instead of a message per alert) or a webhook URL (signed with `secret`).
CREATE TABLE notification_channels (
    tenant_id    uuid        NOT NULL REFERENCES tenants (tenant_id),
    channel_id   uuid        NOT NULL DEFAULT gen_random_uuid(),
    name         text        NOT NULL DEFAULT '',
    kind         text        NOT NULL CHECK (kind IN ('email', 'webhook')),
    address      text        NOT NULL CHECK (length(address) BETWEEN 3 AND 2048),
    language     text        NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ru')),
    digest       boolean     NOT NULL DEFAULT false,
    digest_hour  integer     NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    secret       text        NOT NULL DEFAULT '',
    max_per_hour integer     NOT NULL DEFAULT 30 CHECK (max_per_hour BETWEEN 1 AND 10000),
    enabled      boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, channel_id),
    CHECK (kind = 'email' OR NOT digest)
);

CREATE TABLE rule_channels (
    tenant_id  uuid NOT NULL,
    rule_id    uuid NOT NULL,
    channel_id uuid NOT NULL,
    PRIMARY KEY (tenant_id, rule_id, channel_id),
    FOREIGN KEY (tenant_id, rule_id) REFERENCES alert_rules (tenant_id, rule_id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, channel_id) REFERENCES notification_channels (tenant_id, channel_id)
        ON DELETE CASCADE
);
CREATE INDEX rule_channels_channel ON rule_channels (tenant_id, channel_id);

-- One alert: a rule's condition on one target (a device, or 'scanner:<id>') and subject (a
-- supply, an error code, ''). pending = the condition holds but not yet long enough (device
-- errors); open; resolved. At most one unresolved alert per rule, target and subject: the
-- evaluation can run twice (two processes, a retry) and still open it once.
CREATE TABLE alerts (
    tenant_id       uuid        NOT NULL,
    alert_id        uuid        NOT NULL DEFAULT gen_random_uuid(),
    rule_id         uuid        NOT NULL,
    kind            text        NOT NULL,
    target          text        NOT NULL,
    device_id       uuid,
    scanner_id      text,
    subject         text        NOT NULL DEFAULT '',
    state           text        NOT NULL CHECK (state IN ('pending', 'open', 'resolved')),
    severity        text        NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
    detail          text        NOT NULL DEFAULT '',
    value           bigint,
    since           timestamptz NOT NULL,
    opened_at       timestamptz,
    updated_at      timestamptz NOT NULL,
    resolved_at     timestamptz,
    acknowledged_at timestamptz,
    acknowledged_by text,
    snoozed_until   timestamptz,
    PRIMARY KEY (tenant_id, alert_id),
    FOREIGN KEY (tenant_id, rule_id) REFERENCES alert_rules (tenant_id, rule_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX alerts_one_unresolved ON alerts (tenant_id, rule_id, target, subject)
    WHERE state <> 'resolved';
CREATE INDEX alerts_list ON alerts (tenant_id, state, opened_at DESC);
CREATE INDEX alerts_device ON alerts (tenant_id, device_id, opened_at DESC);

-- The outbox: one message to one channel, rendered when queued (in the channel's language),
-- delivered by a worker at least once. notification_id is the idempotency key the receiver
-- sees (webhook header, e-mail Message-ID). dedup_key groups the messages of one rule, target
-- and subject (or one digest day) for the repeat period and the digest's uniqueness.
CREATE TABLE notifications (
    tenant_id       uuid        NOT NULL,
    notification_id uuid        NOT NULL DEFAULT gen_random_uuid(),
    channel_id      uuid        NOT NULL,
    alert_id        uuid,
    event           text        NOT NULL CHECK (event IN ('opened', 'resolved', 'digest', 'test')),
    dedup_key       text        NOT NULL,
    state           text        NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed',
                                                          'suppressed')),
    subject         text        NOT NULL DEFAULT '',
    body            text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, notification_id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES notification_channels (tenant_id, channel_id)
        ON DELETE CASCADE
);
-- The worker's queue (platform-wide: it first finds the tenants with due work).
CREATE INDEX notifications_due ON notifications (next_attempt_at)
    WHERE state IN ('queued', 'sending');
CREATE INDEX notifications_recent ON notifications (tenant_id, channel_id, created_at);
CREATE INDEX notifications_dedup ON notifications (tenant_id, channel_id, dedup_key, created_at);
CREATE UNIQUE INDEX notifications_one_digest ON notifications (tenant_id, channel_id, dedup_key)
    WHERE event = 'digest';

-- Every delivery attempt that finished (a process killed mid-attempt leaves none; the message
-- is claimed again when its lease runs out).
CREATE TABLE notification_attempts (
    tenant_id       uuid        NOT NULL,
    notification_id uuid        NOT NULL,
    attempt         integer     NOT NULL,
    at              timestamptz NOT NULL,
    outcome         text        NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
    detail          text        NOT NULL DEFAULT '',
    duration_ms     integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, notification_id, attempt),
    FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, notification_id)
        ON DELETE CASCADE
);

-- Day-one defaults, for every tenant: alerts show in the API and the console at once;
-- messages start when the tenant adds a channel to a rule.
CREATE FUNCTION pm_seed_alert_rules(p_tenant uuid) RETURNS void LANGUAGE sql AS $$
    INSERT INTO alert_rules (tenant_id, name, kind, threshold)
    VALUES (p_tenant, 'Supply at or below 10 %', 'supply_low', 10),
           (p_tenant, 'Device error for 15 minutes', 'device_error', 15),
           (p_tenant, 'Device not polled for 24 hours', 'device_silent', 24),
           (p_tenant, 'Scanner not uploading for 4 hours', 'scanner_silent', 4),
           (p_tenant, 'Page counter anomaly', 'counter_anomaly', 300);
$$;

CREATE FUNCTION pm_tenant_seed_alert_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pm_seed_alert_rules(NEW.tenant_id);
    RETURN NEW;
END $$;

CREATE TRIGGER tenants_seed_alert_rules AFTER INSERT ON tenants
    FOR EACH ROW EXECUTE FUNCTION pm_tenant_seed_alert_rules();

SELECT pm_seed_alert_rules(tenant_id) FROM tenants;
