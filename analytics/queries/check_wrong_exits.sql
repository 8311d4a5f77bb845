-- 错退 suspects: households counted as exited in year t whose income is below the
-- line, or that lack one of 两不愁三保障 + safe water at the end of t.
SELECT household_id, year, township_code, village_code, members, income, poverty_line,
       food_clothing_secure, education_secure, medical_secure, housing_secure, water_secure
FROM household_facts
WHERE (is_exit AND (income < poverty_line OR NOT all_secure))
  AND viewer_may_see($allowed, township_code)
ORDER BY township_code, village_code, household_id, year
