-- Registered households with and without a responsible cadre, by scope and year.
SELECT
    scope_level(1, grouping(township_code)) AS scope_level,
    scope_code(1, grouping(township_code), NULL, township_code) AS scope_code,
    year,
    count(*)::BIGINT AS households,
    count(*) FILTER (WHERE c.cadre_id IS NOT NULL)::BIGINT AS households_with_cadre
FROM household_facts f
LEFT JOIN cadres c USING (cadre_id)
WHERE (len($allowed) = 0 OR list_contains($allowed, township_code))
GROUP BY GROUPING SETS ((township_code, year), (year))
ORDER BY scope_level, scope_code, year
