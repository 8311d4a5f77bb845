-- Every headline figure of every scope and year as the contract's JSON lines
-- (`metrics --all --json`): the province (all that is loaded; only when it holds more
-- than one county, else it is the county), the counties, then townships, then villages.
-- Written by DuckDB itself (COPY … FORMAT json), so numbers keep their full precision.
-- The relapse cap comes from the session variable relapse_cap (config), the province's
-- name from province_name; only_county, only_township and only_village ('' none) narrow
-- the rows to one scope and those under it (`--county`, `--township`, `--village`).
SELECT
    scope_level AS scope,
    CASE WHEN scope_level = 'province' THEN NULL ELSE scope_code END AS code,
    CASE WHEN scope_level = 'province' THEN coalesce(scope_name, getvariable('province_name'))
         ELSE scope_name END AS name,
    year,
    registered_population,
    poor_persons,
    poverty_incidence_pct,
    exited_persons,
    relapsed_persons,
    exited_stock_start,
    relapse_rate_pct,
    getvariable('relapse_cap')::DOUBLE AS relapse_cap_pct,
    rural_income_per_capita,
    registered_income_per_capita,
    poverty_line,
    fgt0,
    fgt1,
    fgt2,
    watts,
    watts_excluded_persons,
    gini
FROM figures
WHERE (scope_level <> 'province' OR (SELECT count(*) FROM counties) > 1)
  AND (getvariable('only_county') = '' OR county_code = getvariable('only_county'))
  AND (getvariable('only_township') = '' OR township_code = getvariable('only_township'))
  AND (getvariable('only_village') = '' OR (scope_level = 'village' AND scope_code = getvariable('only_village')))
  AND (getvariable('only_year') IS NULL OR year = getvariable('only_year'))
ORDER BY CASE scope_level WHEN 'province' THEN 0 WHEN 'county' THEN 1 WHEN 'township' THEN 2 ELSE 3 END,
         scope_code, year
