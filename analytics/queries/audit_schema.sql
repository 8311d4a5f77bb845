-- The audit table (in the audit file, not the dataset file).
CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    role VARCHAR,
    action VARCHAR NOT NULL,
    detail VARCHAR,
    rows BIGINT
)
