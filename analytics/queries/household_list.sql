-- The registered households of the chosen villages in one year (personal columns
-- are masked by the caller unless the viewer may see them).
SELECT f.household_id, f.village_code, v.name AS village_name, h.head_name, h.head_id_number,
       f.members, f.status, f.income, f.poverty_line, f.poverty_cause, f.relapse_cause,
       f.dibao_class, f.all_secure, f.registered_year, c.name AS cadre_name, c.rank AS cadre_rank
FROM household_facts f
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = f.village_code
LEFT JOIN cadres c ON c.cadre_id = f.cadre_id
WHERE f.year = $year
  AND list_contains($villages, f.village_code)
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (len($allowed) = 0 OR list_contains($allowed, f.township_code))
ORDER BY f.village_code, f.household_id
