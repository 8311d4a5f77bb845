-- Every headline figure for every scope and year (the rollup built at load time).
SELECT * FROM figures ORDER BY scope_level, scope_code, year
