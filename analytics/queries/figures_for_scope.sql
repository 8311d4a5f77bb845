-- The headline figures of one scope, every year (within the viewer's townships).
SELECT * FROM figures
WHERE scope_level = $scope_level AND scope_code = $scope_code
  AND (len($allowed) = 0 OR list_contains($allowed, township_code))
ORDER BY year
