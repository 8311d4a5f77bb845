-- Every headline figure for every scope and year (the rollup built at load time),
-- restricted to what the viewer may see ($allowed): the rows of their townships, and the
-- county rows of their counties; the province row only when unrestricted.
SELECT * FROM figures
WHERE viewer_may_see($allowed, township_code) OR list_contains($allowed, county_code)
ORDER BY scope_level, scope_code, year
