-- Exit-year cohorts by township, built once per import: for the households whose first
-- exit was in cohort_year, their persons in each later year and how many of them are
-- poor again (status 未脱贫). cohort_status sums it to the county (issue 18, point 3).
CREATE TABLE cohort_township_years AS
WITH first_exit AS (
    SELECT household_id, min(year) AS cohort_year FROM household_facts WHERE is_exit GROUP BY household_id
)
SELECT f.township_code, e.cohort_year, f.year,
       sum(f.members)::BIGINT AS cohort_persons,
       coalesce(sum(f.members) FILTER (WHERE f.status = '未脱贫'), 0)::BIGINT AS poor_again_persons
FROM household_facts f
JOIN first_exit e USING (household_id)
WHERE f.year > e.cohort_year
GROUP BY f.township_code, e.cohort_year, f.year
ORDER BY f.township_code, e.cohort_year, f.year;
