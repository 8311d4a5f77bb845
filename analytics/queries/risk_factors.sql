-- 防返贫监测 risk factors of the households being monitored in one year (exited at the
-- end of the year, or relapsed in it), with last year's income and wage share.
SELECT f.household_id, f.township_code, f.village_code, v.name AS village_name,
       h.head_name, f.members, f.status, f.is_relapse, f.income, f.prev_income,
       f.wage_income, f.poverty_line, f.relapse_cause, f.dibao_class, f.medical_secure,
       100.0 * f.wage_income / nullif(f.income, 0) AS wage_share_pct,
       100.0 * p.wage_income / nullif(p.income, 0) AS prev_wage_share_pct,
       c.name AS cadre_name, c.rank AS cadre_rank
FROM household_facts f
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = f.village_code
LEFT JOIN household_facts p ON p.household_id = f.household_id AND p.year = f.year - 1
LEFT JOIN cadres c ON c.cadre_id = f.cadre_id
WHERE f.year = $year
  AND (f.status = '已脱贫' OR f.is_relapse)
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (viewer_may_see($allowed, f.township_code))
  AND (len($villages) = 0 OR list_contains($villages, f.village_code))
ORDER BY f.township_code, f.village_code, f.household_id
