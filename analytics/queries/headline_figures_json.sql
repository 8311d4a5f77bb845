-- Every headline figure of every scope and year as the contract's JSON lines
-- (`metrics --all --json`): county first, then townships, then villages. Written by
-- DuckDB itself (COPY … FORMAT json), so numbers keep their full precision.
-- The relapse cap comes from the session variable relapse_cap (config).
SELECT
    scope_level AS scope,
    CASE WHEN scope_level = 'county' THEN NULL ELSE scope_code END AS code,
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
ORDER BY CASE scope_level WHEN 'county' THEN 0 WHEN 'township' THEN 1 ELSE 2 END, scope_code, year
