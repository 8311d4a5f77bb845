-- The headline figures of every scope of one level (county, township or village), every year.
SELECT * FROM figures WHERE scope_level = $scope_level ORDER BY scope_code, year
