-- Households whose size changes by at least $min_jump persons in one year.
SELECT household_id, year, township_code, village_code, prev_members, members
FROM household_facts
WHERE (prev_members IS NOT NULL AND abs(members - prev_members) >= $min_jump)
  AND viewer_may_see($allowed, township_code)
ORDER BY township_code, household_id, year
