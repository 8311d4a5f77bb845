-- 防返贫监测 risk factors of the households being monitored in one year (exited at the
-- end of the year, or relapsed in it), with last year's income and wage share (the row's
-- prev_* columns: last year's values when the household has a row for it, as a join on
-- year - 1 would give, without joining the panel to itself).
SELECT f.household_id, f.township_code, f.village_code, v.name AS village_name,
       h.head_name, f.members, f.status, f.is_relapse, f.income, f.prev_income,
       f.wage_income, f.poverty_line, f.relapse_cause, f.dibao_class, f.medical_secure,
       100.0 * f.wage_income / nullif(f.income, 0) AS wage_share_pct,
       100.0 * f.prev_wage_income / nullif(f.prev_income, 0) AS prev_wage_share_pct,
       c.name AS cadre_name, c.rank AS cadre_rank
FROM household_facts f
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = f.village_code
LEFT JOIN cadres c ON c.cadre_id = f.cadre_id
WHERE f.year = $year
  AND (f.status = '已脱贫' OR f.is_relapse)
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (viewer_may_see($allowed, f.township_code))
  AND (len($villages) = 0 OR list_contains($villages, f.village_code))
ORDER BY f.township_code, f.village_code, f.household_id
