-- The audit trail carried with the database (imports and builds).
SELECT logged_at, actor, action, detail, rows FROM audit_log ORDER BY logged_at DESC
