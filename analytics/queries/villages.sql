-- The villages with their plan and position (those the viewer may see).
SELECT village_code, township_code, name, is_poor_village, planned_exit_year, exit_year, lat, lon
FROM villages
WHERE viewer_may_see($allowed, township_code)
ORDER BY village_code
