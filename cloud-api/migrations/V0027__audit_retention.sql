-- printmon cloud schema, version 27: the audit log is kept for a limited time per account.
-- Forward-only.
--
-- V0025 kept audit rows as long as the account, and since V0026 anybody who knows an e-mail
-- can add rows (failed sign-ins, bounded per window by the brake but not over the years). An
-- account now keeps its audit rows `audit_retention_months` whole months (default 24, 1..120:
-- long enough for a yearly review, short enough that a guesser's rows do not pile up for
-- ever); older rows are deleted by cloud-api's hourly maintenance, a bounded number per call
-- so that a long backlog never holds one long transaction.
ALTER TABLE tenants
    ADD COLUMN audit_retention_months integer NOT NULL DEFAULT 24
        CHECK (audit_retention_months BETWEEN 1 AND 120);

-- Deletes at most `p_limit` audit rows older than their account's retention at `p_now`
-- (the oldest first); returns how many. Any number of cloud-api replicas may call it: one
-- runs, the others return 0 at once (advisory lock). The caller calls again while it returns
-- `p_limit`. Reads audit_log_tenant_at (tenant, at) per account: no scan of other accounts'
-- rows.
CREATE FUNCTION pm_audit_prune(p_now timestamptz, p_limit integer) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    IF p_limit IS NULL OR p_limit < 1 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('audit prune limit must be at least 1, not %s', p_limit);
    END IF;
    IF NOT pg_try_advisory_xact_lock(hashtext('printmon.audit_prune')) THEN
        RETURN 0;
    END IF;
    DELETE FROM audit_log
    WHERE entry_id IN (
        SELECT o.entry_id
        FROM tenants t
        CROSS JOIN LATERAL (
            SELECT a.entry_id, a.at
            FROM audit_log a
            WHERE a.tenant_id = t.tenant_id
              AND a.at < p_now - make_interval(months => t.audit_retention_months)
            ORDER BY a.at, a.entry_id
            LIMIT p_limit) o
        ORDER BY o.at, o.entry_id
        LIMIT p_limit);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
