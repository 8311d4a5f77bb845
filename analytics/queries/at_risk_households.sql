-- 防返贫监测: registered households at risk in one year — income below
-- $line_multiple × the line, income down by more than $drop_pct % on the year, or
-- a relapse for illness or disaster — with the reasons that apply.
SELECT f.household_id, f.township_code, f.village_code, v.name AS village_name,
       h.head_name, h.head_id_number, f.members, f.status, f.income, f.prev_income,
       f.poverty_line, f.relapse_cause, c.name AS cadre_name,
       f.income < $line_multiple * f.poverty_line AS low_income,
       coalesce(f.prev_income > 0 AND f.income < f.prev_income * (1 - $drop_pct / 100.0), false) AS income_drop,
       coalesce(f.is_relapse AND f.relapse_cause IN ('因病', '因灾'), false) AS illness_or_disaster
FROM household_facts f
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = f.village_code
LEFT JOIN cadres c ON c.cadre_id = f.cadre_id
WHERE f.year = $year
  AND (f.income < $line_multiple * f.poverty_line
       OR (f.prev_income > 0 AND f.income < f.prev_income * (1 - $drop_pct / 100.0))
       OR (f.is_relapse AND f.relapse_cause IN ('因病', '因灾')))
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (len($villages) = 0 OR list_contains($villages, f.village_code))
ORDER BY f.township_code, f.village_code, f.household_id
