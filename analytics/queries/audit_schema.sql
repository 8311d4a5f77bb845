-- The audit table (in the audit file, not the dataset file).
CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    role VARCHAR,
    action VARCHAR NOT NULL,
    detail VARCHAR,
    rows BIGINT
)
;
-- Signed sessions ended by 退出登录 (analytics/sessions.py): their cookies sign no one in.
CREATE TABLE IF NOT EXISTS revoked_sessions (
    sid VARCHAR PRIMARY KEY,
    revoked_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
)
