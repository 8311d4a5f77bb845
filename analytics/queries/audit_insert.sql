-- One audit row (scope: the acting account's township or county codes, comma-separated).
INSERT INTO audit_log (logged_at, actor, role, action, detail, rows, scope) VALUES (?, ?, ?, ?, ?, ?, ?)
