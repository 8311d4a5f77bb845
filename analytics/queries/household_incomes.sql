-- Registered households' per-capita income and size in one year, for the chosen
-- townships and villages (no personal data).
SELECT income, members, status, poverty_line
FROM household_facts
WHERE year = $year
  AND (len($townships) = 0 OR list_contains($townships, township_code))
  AND (viewer_may_see($allowed, township_code))
  AND (len($villages) = 0 OR list_contains($villages, village_code))
