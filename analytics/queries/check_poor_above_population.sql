-- Village-years with more poor persons registered than the village's population.
SELECT township_code, scope_code AS village_code, scope_name AS village_name, year,
       poor_persons, registered_population
FROM figures
WHERE scope_level = 'village' AND poor_persons > registered_population
  AND viewer_may_see($allowed, township_code)
ORDER BY village_code, year
