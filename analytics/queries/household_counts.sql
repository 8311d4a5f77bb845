-- The counts of village_year_households (see build_village_year_households.sql) summed
-- by township and year, and over the whole selection (scope_code 'total'), for the
-- chosen townships and villages (empty lists: all).
SELECT CASE WHEN grouping(township_code) = 1 THEN 'total' ELSE township_code END AS scope_code,
       year,
       sum(COLUMNS(* EXCLUDE (village_code, township_code, year)))::BIGINT
FROM village_year_households
WHERE (len($townships) = 0 OR list_contains($townships, township_code))
  AND (len($villages) = 0 OR list_contains($villages, village_code))
  AND (viewer_may_see($allowed, township_code))
GROUP BY GROUPING SETS ((township_code, year), (year))
ORDER BY grouping(township_code) DESC, scope_code, year
