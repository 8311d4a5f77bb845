-- The headline figures of every scope of one level (county, township or village),
-- every year, within the viewer's townships.
SELECT * FROM figures
WHERE scope_level = $scope_level
  AND (len($allowed) = 0 OR list_contains($allowed, township_code))
ORDER BY scope_code, year
