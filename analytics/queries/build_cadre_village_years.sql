-- The "8741" load, built once per import: registered households (on the register that
-- year) paired with each cadre, by year and village. cadre_load and cadres_over_quota
-- sum it, so opening a page never scans household_facts for it (issue 18, point 3).
CREATE TABLE cadre_village_years AS
SELECT cadre_id, year, township_code, village_code, count(household_id)::BIGINT AS households
FROM household_facts
WHERE cadre_id IS NOT NULL
GROUP BY cadre_id, year, township_code, village_code
ORDER BY cadre_id, year, township_code, village_code;
