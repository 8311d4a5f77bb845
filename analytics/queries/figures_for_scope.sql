-- The headline figures of one scope, every year.
SELECT * FROM figures WHERE scope_level = $scope_level AND scope_code = $scope_code ORDER BY year
