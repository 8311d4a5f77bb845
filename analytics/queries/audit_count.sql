-- How many rows the audit file holds (the 数据 page says how many of them it shows).
SELECT count(*) FROM audit_log
