-- Every headline figure for every scope and year (the rollup built at load time),
-- restricted to the viewer's townships ($allowed; county rows only when unrestricted).
SELECT * FROM figures
WHERE len($allowed) = 0 OR list_contains($allowed, township_code)
ORDER BY scope_level, scope_code, year
