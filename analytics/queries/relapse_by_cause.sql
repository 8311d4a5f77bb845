-- Relapsed persons by relapse cause, for every scope and year (a missing cause is 未填).
SELECT
    scope_level(grouping(village_code), grouping(township_code)) AS scope_level,
    scope_code(grouping(village_code), grouping(township_code), village_code, township_code) AS scope_code,
    year,
    coalesce(relapse_cause, '未填') AS relapse_cause,
    sum(members)::BIGINT AS relapsed_persons,
    count(*)::BIGINT AS relapsed_households
FROM household_facts
WHERE is_relapse
  AND (len($allowed) = 0 OR list_contains($allowed, township_code))
GROUP BY GROUPING SETS ((township_code, village_code, year, relapse_cause),
                        (township_code, year, relapse_cause), (year, relapse_cause))
ORDER BY scope_level, scope_code, year, relapse_cause
