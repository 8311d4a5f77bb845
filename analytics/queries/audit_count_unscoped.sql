-- How many rows an audit file written before rows recorded their scope holds.
SELECT count(*) FROM audit_log
