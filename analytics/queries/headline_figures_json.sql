-- Every headline figure of every scope and year as the contract's JSON lines
-- (`metrics --all --json`): the province (all that is loaded; only when it holds more
-- than one county, else it is the county), the counties, then townships, then villages.
-- Written by DuckDB itself (COPY … FORMAT json), so numbers keep their full precision.
-- The relapse cap comes from the session variable relapse_cap (config).
SELECT
    scope_level AS scope,
    CASE WHEN scope_level = 'province' THEN NULL ELSE scope_code END AS code,
    scope_name AS name,
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
WHERE scope_level <> 'province' OR (SELECT count(*) FROM counties) > 1
ORDER BY CASE scope_level WHEN 'province' THEN 0 WHEN 'county' THEN 1 WHEN 'township' THEN 2 ELSE 3 END,
         scope_code, year
