-- printmon cloud schema, version 23: Telegram as a notification channel. Forward-only.
--
-- Offices and dealers read their alerts in Telegram more than in their mailbox. A 'telegram'
-- channel keeps the chat in `address` (a numeric chat id, negative for groups, or
-- '@channelname') and the tenant's own bot token in `secret` (the same column, the same rule
-- as a webhook's signing secret: written by an admin, never answered back, only `secret_set`).
-- The message is the e-mail's text (subject, blank line, body) in the channel's language,
-- rendered when queued like every other message. A Telegram chat may take the daily digest
-- instead of a message per alert, as an e-mail address may; a webhook still may not.
ALTER TABLE notification_channels
    DROP CONSTRAINT notification_channels_kind_check,
    ADD CONSTRAINT notification_channels_kind_check
        CHECK (kind IN ('email', 'webhook', 'telegram')),
    -- A Telegram channel cannot exist without its bot's token.
    ADD CONSTRAINT notification_channels_telegram_token CHECK (kind <> 'telegram' OR secret <> ''),
    -- V0011's unnamed "CHECK (kind = 'email' OR NOT digest)", named by PostgreSQL.
    DROP CONSTRAINT notification_channels_check,
    ADD CONSTRAINT notification_channels_digest CHECK (kind IN ('email', 'telegram') OR NOT digest);
