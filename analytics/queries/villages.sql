-- The villages with their plan and position.
SELECT village_code, township_code, name, is_poor_village, planned_exit_year, exit_year, lat, lon
FROM villages ORDER BY village_code
