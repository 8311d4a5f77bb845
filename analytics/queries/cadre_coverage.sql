-- Registered households with and without a responsible cadre, by scope and year.
SELECT
    CASE WHEN grouping(township_code) = 0 THEN 'township' ELSE 'county' END AS scope_level,
    CASE WHEN grouping(township_code) = 0 THEN township_code ELSE 'county' END AS scope_code,
    year,
    count(*)::BIGINT AS households,
    count(*) FILTER (WHERE c.cadre_id IS NOT NULL)::BIGINT AS households_with_cadre
FROM household_facts f
LEFT JOIN cadres c USING (cadre_id)
GROUP BY GROUPING SETS ((township_code, year), (year))
ORDER BY scope_level, scope_code, year
