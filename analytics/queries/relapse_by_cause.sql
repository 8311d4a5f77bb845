-- Relapsed persons by relapse cause, for every scope and year (a missing cause is 未填).
SELECT
    CASE WHEN grouping(village_code) = 0 THEN 'village'
         WHEN grouping(township_code) = 0 THEN 'township' ELSE 'county' END AS scope_level,
    CASE WHEN grouping(village_code) = 0 THEN village_code
         WHEN grouping(township_code) = 0 THEN township_code ELSE 'county' END AS scope_code,
    year,
    coalesce(relapse_cause, '未填') AS relapse_cause,
    sum(members)::BIGINT AS relapsed_persons,
    count(*)::BIGINT AS relapsed_households
FROM household_facts
WHERE is_relapse
GROUP BY GROUPING SETS ((township_code, village_code, year, relapse_cause),
                        (township_code, year, relapse_cause), (year, relapse_cause))
ORDER BY scope_level, scope_code, year, relapse_cause
