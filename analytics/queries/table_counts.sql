-- Rows per table of the loaded dataset.
SELECT 'townships' AS table_name, count(*) AS row_count FROM townships
UNION ALL SELECT 'villages', count(*) FROM villages
UNION ALL SELECT 'village_years', count(*) FROM village_years
UNION ALL SELECT 'households', count(*) FROM households
UNION ALL SELECT 'household_years', count(*) FROM household_years
UNION ALL SELECT 'cadres', count(*) FROM cadres
UNION ALL SELECT 'household_measures', count(*) FROM household_measures
