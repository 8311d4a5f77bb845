-- One audit row.
INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)
