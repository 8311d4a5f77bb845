-- Implausible income jumps in the exit year: income at least $multiple × the year before.
SELECT household_id, year, township_code, village_code, prev_income, income, poverty_line
FROM household_facts
WHERE (is_exit AND prev_income > 0 AND income >= $multiple * prev_income)
  AND viewer_may_see($allowed, township_code)
ORDER BY township_code, household_id, year
