-- Exit-year cohorts: for the households whose first exit was in cohort_year, their
-- persons each later year and how many of them are poor again, by scope.
WITH first_exit AS (
    SELECT household_id, min(year) AS cohort_year FROM household_facts WHERE is_exit GROUP BY household_id
)
SELECT
    scope_level(1, grouping(f.township_code)) AS scope_level,
    scope_code(1, grouping(f.township_code), NULL, f.township_code) AS scope_code,
    e.cohort_year,
    f.year,
    sum(f.members)::BIGINT AS cohort_persons,
    coalesce(sum(f.members) FILTER (WHERE f.status = '未脱贫'), 0)::BIGINT AS poor_again_persons
FROM household_facts f
JOIN first_exit e USING (household_id)
WHERE f.year > e.cohort_year
  AND (len($allowed) = 0 OR list_contains($allowed, f.township_code))
GROUP BY GROUPING SETS ((f.township_code, e.cohort_year, f.year), (e.cohort_year, f.year))
ORDER BY scope_level, scope_code, cohort_year, year
