-- Relapsed persons by relapse cause, for every scope and year (a missing cause is 未填).
SELECT
    scope_level(grouping(village_code), grouping(township_code), grouping(county_code)) AS scope_level,
    scope_code(grouping(village_code), grouping(township_code), grouping(county_code),
               village_code, township_code, county_code) AS scope_code,
    year,
    coalesce(relapse_cause, '未填') AS relapse_cause,
    sum(members)::BIGINT AS relapsed_persons,
    count(*)::BIGINT AS relapsed_households
FROM (SELECT *, left(township_code, 6) AS county_code FROM household_facts)
WHERE is_relapse
  AND viewer_may_see($allowed, township_code)
GROUP BY GROUPING SETS ((county_code, township_code, village_code, year, relapse_cause),
                        (county_code, township_code, year, relapse_cause),
                        (county_code, year, relapse_cause), (year, relapse_cause))
ORDER BY scope_level, scope_code, year, relapse_cause
