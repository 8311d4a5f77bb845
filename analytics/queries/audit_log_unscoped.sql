-- The latest rows of an audit file written before rows recorded their scope (read-only:
-- not yet migrated by a write), newest first; only for an unrestricted viewer.
SELECT logged_at, actor, role, action, detail, rows FROM audit_log ORDER BY logged_at DESC LIMIT $limit
