-- 防返贫监测 per village in one year: households and persons at risk (macro
-- at_risk_flagged) and how many meet each rule; only villages with households at risk.
SELECT f.township_code, f.village_code, v.name AS village_name,
       count(*) AS households, sum(f.members)::BIGINT AS persons,
       count(*) FILTER (WHERE f.low_income) AS low_income,
       count(*) FILTER (WHERE f.income_drop) AS income_drop,
       count(*) FILTER (WHERE f.illness_or_disaster) AS illness_or_disaster
FROM at_risk_flagged($year, $line_multiple, $drop_pct) f
JOIN villages v ON v.village_code = f.village_code
WHERE f.at_risk
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (len($allowed) = 0 OR list_contains($allowed, f.township_code))
  AND (len($villages) = 0 OR list_contains($villages, f.village_code))
GROUP BY f.township_code, f.village_code, v.name
ORDER BY f.township_code, f.village_code
