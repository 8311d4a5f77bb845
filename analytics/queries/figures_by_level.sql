-- The headline figures of every scope of one level (province, county, township or
-- village), every year, within what the viewer may see (see figures.sql).
SELECT * FROM figures
WHERE scope_level = $scope_level
  AND (viewer_may_see($allowed, township_code) OR list_contains($allowed, county_code))
ORDER BY scope_code, year
