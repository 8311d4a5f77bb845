-- The measures (一户一策) taken for one household.
SELECT m.year, m.measure, m.amount_yuan
FROM household_measures m
JOIN household_facts f ON f.household_id = m.household_id AND f.year = m.year
WHERE m.household_id = $household_id
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (viewer_may_see($allowed, f.township_code))
ORDER BY m.year, m.measure
