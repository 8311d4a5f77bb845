-- The headline figures of one scope, every year (within what the viewer may see: see
-- figures.sql).
SELECT * FROM figures
WHERE scope_level = $scope_level AND scope_code = $scope_code
  AND (viewer_may_see($allowed, township_code) OR list_contains($allowed, county_code))
ORDER BY year
