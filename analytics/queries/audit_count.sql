-- How many audit rows a viewer may see (the rule of audit_log.sql; the 数据 page says
-- how many of them it shows).
SELECT count(*) FROM audit_log
WHERE len($allowed) = 0
   OR (coalesce(scope, '') <> ''
       AND len(list_filter(string_split(scope, ','),
                           lambda code: NOT (list_contains($allowed, code)
                                             OR list_contains($allowed, left(code, 6))))) = 0)
