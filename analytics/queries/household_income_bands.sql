-- Registered households' per-capita income in one year in bands of $bin_width yuan, for
-- the chosen townships and villages: band k holds k × width ≤ income < (k + 1) × width,
-- with its households and persons (Σ members). No personal data.
SELECT floor(income / $bin_width)::BIGINT AS band, count(*) AS households,
       sum(members)::BIGINT AS persons
FROM household_facts
WHERE year = $year
  AND income IS NOT NULL
  AND (len($townships) = 0 OR list_contains($townships, township_code))
  AND (viewer_may_see($allowed, township_code))
  AND (len($villages) = 0 OR list_contains($villages, village_code))
GROUP BY band
ORDER BY band
