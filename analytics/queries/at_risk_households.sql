-- 防返贫监测: households at risk of falling (back) into poverty in one year (rules in
-- macro at_risk_flagged, thresholds bound), with the reasons that apply.
SELECT f.household_id, f.township_code, f.village_code, v.name AS village_name,
       h.head_name, h.head_id_number, f.members, f.status, f.income, f.prev_income,
       f.poverty_line, f.relapse_cause, c.name AS cadre_name,
       f.low_income, f.income_drop, f.illness_or_disaster
FROM at_risk_flagged($year, $line_multiple, $drop_pct) f
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = f.village_code
LEFT JOIN cadres c ON c.cadre_id = f.cadre_id
WHERE f.at_risk
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (len($allowed) = 0 OR list_contains($allowed, f.township_code))
  AND (len($villages) = 0 OR list_contains($villages, f.village_code))
ORDER BY f.township_code, f.village_code, f.household_id
