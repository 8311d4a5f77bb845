-- Incomes bunched just above the line, per township and year: households with income
-- in [z, z·(1+b)) against those in [z·(1+b), z·(1+2b)). A smooth distribution puts about
-- as many in each; z_stat = (just_above − next_band) / √(just_above + next_band).
WITH bins AS (
    SELECT township_code, year,
           count(*) FILTER (WHERE income >= poverty_line
                            AND income < poverty_line * (1 + $band / 100.0)) AS just_above,
           count(*) FILTER (WHERE income >= poverty_line * (1 + $band / 100.0)
                            AND income < poverty_line * (1 + 2 * $band / 100.0)) AS next_band
    FROM household_facts
    WHERE viewer_may_see($allowed, township_code)
    GROUP BY township_code, year
)
SELECT township_code, year, just_above, next_band,
       (just_above - next_band) / sqrt(just_above + next_band) AS z_stat
FROM bins
WHERE just_above + next_band >= $min_households
  AND (just_above - next_band) / sqrt(just_above + next_band) > $z
ORDER BY z_stat DESC
