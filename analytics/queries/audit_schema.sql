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
-- The scope of the account that acted (its township or county codes, comma-separated;
-- empty: unrestricted). Added after the first files were written: every write adds it
-- to an older file (its earlier rows get null, read as unrestricted).
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS scope VARCHAR
;
-- Signed sessions ended by 退出登录 (analytics/sessions.py): their cookies sign no one in.
CREATE TABLE IF NOT EXISTS revoked_sessions (
    sid VARCHAR PRIMARY KEY,
    revoked_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
)
