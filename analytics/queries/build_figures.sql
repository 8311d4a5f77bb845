-- The headline figures of the data contract for every scope (the province — all that is
-- loaded —, each county, township and village) and year, in one table: the rollup every
-- page and `metrics` read. Additive parts are summed with GROUPING SETS; the Gini needs
-- the weight below each person in income order: one window per level, over narrow rows
-- (the scope, the weight and the income) read from household_facts itself, so that no
-- sort carries the households' other columns (at scale 1000 those sorts spilled 46 GB).
CREATE TABLE figures AS
WITH
years AS (SELECT DISTINCT year FROM household_facts UNION SELECT DISTINCT year FROM village_years),
hh AS (
    SELECT
        f.*,
        left(f.township_code, 6) AS county_code,
        greatest(f.income, 0) AS y0,
        f.income > 0 AS positive
    FROM household_facts f
),
gini_parts AS (
    -- G = (Σ w_i y_i (2 C_i + w_i) − W · Σ w_i y_i) / (W · Σ w_i y_i): C_i = the weight below
    -- person i in income order within the scope (ties in any order give the same sum),
    -- W = Σ w_i; y bottom-coded at 0, weights = members; no small-sample correction.
    -- gini_sum = Σ w_i y_i (2 C_i + w_i) per scope and year.
    SELECT 'village' AS scope_level, scope AS scope_code, year,
           sum(members * y0 * (2 * below + members)) AS gini_sum
    FROM (SELECT village_code AS scope, year, members, greatest(income, 0) AS y0,
                 sum(members) OVER (PARTITION BY village_code, year ORDER BY greatest(income, 0)
                                    ROWS UNBOUNDED PRECEDING) - members AS below
          FROM household_facts)
    GROUP BY scope, year
    UNION ALL
    SELECT 'township', scope, year, sum(members * y0 * (2 * below + members))
    FROM (SELECT township_code AS scope, year, members, greatest(income, 0) AS y0,
                 sum(members) OVER (PARTITION BY township_code, year ORDER BY greatest(income, 0)
                                    ROWS UNBOUNDED PRECEDING) - members AS below
          FROM household_facts)
    GROUP BY scope, year
    UNION ALL
    SELECT 'county', scope, year, sum(members * y0 * (2 * below + members))
    FROM (SELECT left(township_code, 6) AS scope, year, members, greatest(income, 0) AS y0,
                 sum(members) OVER (PARTITION BY left(township_code, 6), year ORDER BY greatest(income, 0)
                                    ROWS UNBOUNDED PRECEDING) - members AS below
          FROM household_facts)
    GROUP BY scope, year
    UNION ALL
    SELECT 'province', 'province', year, sum(members * y0 * (2 * below + members))
    FROM (SELECT year, members, greatest(income, 0) AS y0,
                 sum(members) OVER (PARTITION BY year ORDER BY greatest(income, 0)
                                    ROWS UNBOUNDED PRECEDING) - members AS below
          FROM household_facts)
    GROUP BY year
),
hh_parts AS (
    SELECT
        scope_level(grouping(village_code), grouping(township_code), grouping(county_code)) AS scope_level,
        scope_code(grouping(village_code), grouping(township_code), grouping(county_code),
                   village_code, township_code, county_code) AS scope_code,
        year,
        sum(members) AS enrolled_persons,
        sum(members) FILTER (WHERE status = '未脱贫') AS poor_persons,
        sum(members) FILTER (WHERE is_exit) AS exited_persons,
        sum(members) FILTER (WHERE is_relapse) AS relapsed_persons,
        sum(members * income) AS income_weighted_sum,
        sum(members * wage_income) FILTER (WHERE wage_income IS NOT NULL) AS wage_weighted_sum,
        sum(members * income) FILTER (WHERE wage_income IS NOT NULL) AS income_with_wage_sum,
        sum(members) FILTER (WHERE y0 < poverty_line) AS fgt0_persons,
        sum(members * ((poverty_line - y0) / poverty_line)) FILTER (WHERE y0 < poverty_line) AS fgt1_sum,
        sum(members * power((poverty_line - y0) / poverty_line, 2)) FILTER (WHERE y0 < poverty_line) AS fgt2_sum,
        sum(members) FILTER (WHERE positive) AS watts_persons,
        sum(members * ln(poverty_line / income)) FILTER (WHERE positive AND income < poverty_line) AS watts_sum,
        coalesce(sum(members) FILTER (WHERE NOT positive), 0) AS watts_excluded_persons,
        count(*) AS registered_households,
        count(*) FILTER (WHERE status = '未脱贫') AS poor_households,
        sum(members * y0) AS gini_wy
    FROM hh
    GROUP BY GROUPING SETS ((county_code, township_code, village_code, year),
                            (county_code, township_code, year), (county_code, year), (year))
),
stock AS (
    -- people exited at the end of t-1: the ones at risk of relapse in t
    SELECT
        scope_level(grouping(village_code), grouping(township_code), grouping(county_code)) AS scope_level,
        scope_code(grouping(village_code), grouping(township_code), grouping(county_code),
                   village_code, township_code, county_code) AS scope_code,
        year + 1 AS year,
        sum(members) AS exited_stock_start
    FROM (SELECT *, left(township_code, 6) AS county_code FROM household_facts)
    WHERE status = '已脱贫'
    GROUP BY GROUPING SETS ((county_code, township_code, village_code, year),
                            (county_code, township_code, year), (county_code, year), (year))
),
vy AS (
    SELECT
        scope_level(grouping(vy.village_code), grouping(v.township_code), grouping(county_code)) AS scope_level,
        scope_code(grouping(vy.village_code), grouping(v.township_code), grouping(county_code),
                   vy.village_code, v.township_code, county_code) AS scope_code,
        vy.year,
        sum(vy.registered_population) AS registered_population,
        sum(vy.households) AS village_households,
        sum(vy.registered_population * vy.rural_income_per_capita)
            FILTER (WHERE vy.rural_income_per_capita IS NOT NULL) AS rural_income_weighted_sum,
        sum(vy.registered_population)
            FILTER (WHERE vy.rural_income_per_capita IS NOT NULL) AS rural_income_population
    FROM village_years vy
    JOIN (SELECT *, left(township_code, 6) AS county_code FROM villages) v USING (village_code)
    GROUP BY GROUPING SETS ((county_code, v.township_code, vy.village_code, vy.year),
                            (county_code, v.township_code, vy.year), (county_code, vy.year), (vy.year))
),
scopes AS (
    SELECT 'province' AS scope_level, 'province' AS scope_code, NULL::VARCHAR AS county_code,
           NULL::VARCHAR AS township_code, NULL::VARCHAR AS scope_name
    UNION ALL
    SELECT 'county', county_code, county_code, NULL, name FROM counties
    UNION ALL
    SELECT 'township', township_code, left(township_code, 6), township_code, name FROM townships
    UNION ALL
    SELECT 'village', village_code, left(township_code, 6), township_code, name FROM villages
),
grid AS (
    SELECT s.*, y.year FROM scopes s CROSS JOIN years y
)
SELECT
    grid.scope_level,
    grid.scope_code,
    grid.county_code,
    grid.township_code,
    grid.scope_name,
    grid.year,
    coalesce(vy.registered_population, 0)::BIGINT AS registered_population,
    coalesce(hp.poor_persons, 0)::BIGINT AS poor_persons,
    100.0 * coalesce(hp.poor_persons, 0) / nullif(vy.registered_population, 0) AS poverty_incidence_pct,
    coalesce(hp.exited_persons, 0)::BIGINT AS exited_persons,
    coalesce(hp.relapsed_persons, 0)::BIGINT AS relapsed_persons,
    coalesce(st.exited_stock_start, 0)::BIGINT AS exited_stock_start,
    100.0 * coalesce(hp.relapsed_persons, 0) / nullif(st.exited_stock_start, 0) AS relapse_rate_pct,
    vy.rural_income_weighted_sum / nullif(vy.rural_income_population, 0) AS rural_income_per_capita,
    hp.income_weighted_sum / nullif(hp.enrolled_persons, 0) AS registered_income_per_capita,
    100.0 * hp.wage_weighted_sum / nullif(hp.income_with_wage_sum, 0) AS wage_share_pct,
    pl.poverty_line,
    coalesce(hp.fgt0_persons, 0) / nullif(hp.enrolled_persons, 0) AS fgt0,
    coalesce(hp.fgt1_sum, 0) / nullif(hp.enrolled_persons, 0) AS fgt1,
    coalesce(hp.fgt2_sum, 0) / nullif(hp.enrolled_persons, 0) AS fgt2,
    coalesce(hp.watts_sum, 0) / nullif(hp.watts_persons, 0) AS watts,
    coalesce(hp.watts_excluded_persons, 0)::BIGINT AS watts_excluded_persons,
    (gp.gini_sum - hp.enrolled_persons * hp.gini_wy) / nullif(hp.enrolled_persons * hp.gini_wy, 0) AS gini,
    -- additive parts, so that several scopes can be combined (metrics.combine_scopes)
    vy.rural_income_weighted_sum,
    vy.rural_income_population,
    hp.income_weighted_sum,
    hp.wage_weighted_sum,
    hp.income_with_wage_sum,
    hp.fgt0_persons,
    hp.fgt1_sum,
    hp.fgt2_sum,
    hp.watts_sum,
    hp.watts_persons,
    coalesce(hp.enrolled_persons, 0)::BIGINT AS enrolled_persons,
    coalesce(hp.registered_households, 0)::BIGINT AS registered_households,
    coalesce(hp.poor_households, 0)::BIGINT AS poor_households
FROM grid
LEFT JOIN hh_parts hp USING (scope_level, scope_code, year)
LEFT JOIN gini_parts gp USING (scope_level, scope_code, year)
LEFT JOIN stock st USING (scope_level, scope_code, year)
LEFT JOIN vy USING (scope_level, scope_code, year)
LEFT JOIN poverty_lines pl USING (year)
ORDER BY grid.scope_level, grid.scope_code, grid.year;
