-- 防返贫监测: households at risk of falling (back) into poverty in one year — exited
-- households whose income is below $line_multiple × the line or fell by more than
-- $drop_pct % on the year, and households that relapsed for illness or disaster —
-- with the reasons that apply.
WITH flagged AS (
    SELECT f.*,
           f.status = '已脱贫' AND f.income < $line_multiple * f.poverty_line AS low_income,
           coalesce(f.status = '已脱贫' AND f.prev_income > 0
                    AND f.income < f.prev_income * (1 - $drop_pct / 100.0), false) AS income_drop,
           coalesce(f.is_relapse AND f.relapse_cause IN ('因病', '因灾'), false) AS illness_or_disaster
    FROM household_facts f
    WHERE f.year = $year
      AND (len($townships) = 0 OR list_contains($townships, f.township_code))
      AND (len($allowed) = 0 OR list_contains($allowed, f.township_code))
      AND (len($villages) = 0 OR list_contains($villages, f.village_code))
)
SELECT f.household_id, f.township_code, f.village_code, v.name AS village_name,
       h.head_name, h.head_id_number, f.members, f.status, f.income, f.prev_income,
       f.poverty_line, f.relapse_cause, c.name AS cadre_name,
       f.low_income, f.income_drop, f.illness_or_disaster
FROM flagged f
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = f.village_code
LEFT JOIN cadres c ON c.cadre_id = f.cadre_id
WHERE f.low_income OR f.income_drop OR f.illness_or_disaster
ORDER BY f.township_code, f.village_code, f.household_id
