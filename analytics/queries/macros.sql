-- Macros created on every connection, used by the queries that group by scope:
-- GROUPING SETS over (township, village) give county, township and village rows.
CREATE OR REPLACE TEMP MACRO scope_level(g_village, g_township) AS
    CASE WHEN g_village = 0 THEN 'village' WHEN g_township = 0 THEN 'township' ELSE 'county' END;
CREATE OR REPLACE TEMP MACRO scope_code(g_village, g_township, village, township) AS
    CASE WHEN g_village = 0 THEN village WHEN g_township = 0 THEN township ELSE 'county' END;
