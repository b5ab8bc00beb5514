-- The audit trail: append-only, each entry hashed with the one before (tamper-evident).
CREATE TABLE IF NOT EXISTS audit_log (
    seq            bigserial PRIMARY KEY,
    at             timestamptz NOT NULL,
    actor          text        NOT NULL,
    roles          text        NOT NULL,
    organisation   text,
    action         text        NOT NULL,
    resource_type  text        NOT NULL,
    resource_ids   text[]      NOT NULL,
    purpose        text        NOT NULL,
    outcome        text        NOT NULL,
    prev_hash      text        NOT NULL,
    entry_hash     text        NOT NULL
);

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
