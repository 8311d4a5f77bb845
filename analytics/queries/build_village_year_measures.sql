-- 一户一策 measures (household_measures) by village, year and measure: the households
-- with the measure that year and the amounts recorded (a null amount adds nothing and
-- is counted in amount_missing), built once per import (analytics/assistance.py).
CREATE TABLE village_year_measures AS
SELECT h.village_code, v.township_code, m.year, m.measure,
       count(DISTINCT m.household_id)::BIGINT AS households,
       coalesce(sum(m.amount_yuan), 0)::DOUBLE AS amount_yuan,
       count(*) FILTER (WHERE m.amount_yuan IS NULL)::BIGINT AS amount_missing
FROM household_measures m
JOIN households h USING (household_id)
JOIN villages v USING (village_code)
GROUP BY h.village_code, v.township_code, m.year, m.measure
ORDER BY v.township_code, h.village_code, m.year, m.measure;
