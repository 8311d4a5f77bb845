-- Whether a signed session was ended.
SELECT count(*) > 0 FROM revoked_sessions WHERE sid = $sid
