-- The latest audit rows, newest first.
SELECT logged_at, actor, role, action, detail, rows FROM audit_log ORDER BY logged_at DESC LIMIT $limit
