-- Villages announced as exited in a year when their poverty incidence was not below $threshold %.
SELECT v.township_code, v.village_code, v.name AS village_name, v.exit_year,
       f.poverty_incidence_pct, f.poor_persons, f.registered_population
FROM villages v
JOIN figures f ON f.scope_level = 'village' AND f.scope_code = v.village_code AND f.year = v.exit_year
WHERE f.poverty_incidence_pct >= $threshold
  AND viewer_may_see($allowed, v.township_code)
ORDER BY v.village_code
