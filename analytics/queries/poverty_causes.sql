-- Registered and poor persons by main poverty cause in one year, for the chosen
-- townships and villages (all when the lists are empty).
SELECT poverty_cause,
       sum(members)::BIGINT AS enrolled_persons,
       coalesce(sum(members) FILTER (WHERE status = '未脱贫'), 0)::BIGINT AS poor_persons,
       count(*)::BIGINT AS households
FROM household_facts
WHERE year = $year
  AND (len($townships) = 0 OR list_contains($townships, township_code))
  AND (viewer_may_see($allowed, township_code))
  AND (len($villages) = 0 OR list_contains($villages, village_code))
GROUP BY poverty_cause
ORDER BY poor_persons DESC
