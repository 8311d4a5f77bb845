-- 一户一策 measures (village_year_measures) by township, year and measure, and over the
-- whole selection (scope_code 'total'): households with the measure and the amounts.
SELECT CASE WHEN grouping(township_code) = 1 THEN 'total' ELSE township_code END AS scope_code,
       year, measure,
       sum(households)::BIGINT AS households,
       sum(amount_yuan)::DOUBLE AS amount_yuan,
       sum(amount_missing)::BIGINT AS amount_missing
FROM village_year_measures
WHERE (len($townships) = 0 OR list_contains($townships, township_code))
  AND (len($villages) = 0 OR list_contains($villages, village_code))
  AND (viewer_may_see($allowed, township_code))
GROUP BY GROUPING SETS ((township_code, year, measure), (year, measure))
ORDER BY grouping(township_code) DESC, scope_code, year, measure
