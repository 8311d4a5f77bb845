-- End one signed session (sid, revoked_at, expires_at); ending it twice changes nothing.
INSERT INTO revoked_sessions VALUES (?, ?, ?) ON CONFLICT DO NOTHING
