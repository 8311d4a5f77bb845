-- The registered households of the chosen villages in one year (personal columns
-- are masked by the caller unless the viewer may see them). 三保障: 是 / 否, 无数据 when a
-- guarantee is unknown (null, contract) and none is known to be unmet.
SELECT f.household_id, f.village_code, v.name AS village_name, h.head_name, h.head_id_number,
       f.members, f.status, f.income, f.poverty_line, f.poverty_cause, f.relapse_cause,
       f.dibao_class,
       CASE WHEN f.all_secure THEN '是' WHEN NOT f.all_secure THEN '否' ELSE '无数据' END AS all_secure, f.registered_year, c.name AS cadre_name, c.rank AS cadre_rank
FROM household_facts f
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = f.village_code
LEFT JOIN cadres c ON c.cadre_id = f.cadre_id
WHERE f.year = $year
  AND list_contains($villages, f.village_code)
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (viewer_may_see($allowed, f.township_code))
ORDER BY f.village_code, f.household_id
