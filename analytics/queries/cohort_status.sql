-- Exit-year cohorts: for the households whose first exit was in cohort_year, their
-- persons each later year and how many of them are poor again, by scope (the province,
-- each county and each township of the viewer), summed from cohort_township_years
-- (built at import).
SELECT
    scope_level(1, grouping(township_code), grouping(county_code)) AS scope_level,
    scope_code(1, grouping(township_code), grouping(county_code), NULL, township_code,
               county_code) AS scope_code,
    cohort_year,
    year,
    sum(cohort_persons)::BIGINT AS cohort_persons,
    sum(poor_again_persons)::BIGINT AS poor_again_persons
FROM (SELECT *, left(township_code, 6) AS county_code FROM cohort_township_years)
WHERE viewer_may_see($allowed, township_code)
GROUP BY GROUPING SETS ((county_code, township_code, cohort_year, year), (county_code, cohort_year, year),
                        (cohort_year, year))
ORDER BY scope_level, scope_code, cohort_year, year
