-- The 精准 gap: households poor (未脱贫) at the end of $year with no 一户一策 measure in
-- any year up to it, by village, the first $limit of them ($limit NULL: all).
WITH gap AS (
    SELECT f.household_id, f.township_code, f.village_code, f.members, f.registered_year,
           f.cadre_id
    FROM household_facts f
    WHERE f.year = $year AND f.status = '未脱贫'
      AND (len($townships) = 0 OR list_contains($townships, f.township_code))
      AND (len($villages) = 0 OR list_contains($villages, f.village_code))
      AND (viewer_may_see($allowed, f.township_code))
      AND NOT EXISTS (SELECT 1 FROM household_measures m
                      WHERE m.household_id = f.household_id AND m.year <= $year)
    ORDER BY f.village_code, f.household_id
    LIMIT $limit
)
SELECT g.household_id, g.township_code, t.name AS township_name, g.village_code,
       v.name AS village_name, h.head_name,
       h.head_id_number, g.members, g.registered_year, c.name AS cadre_name
FROM gap g
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = g.village_code
JOIN townships t ON t.township_code = g.township_code
LEFT JOIN cadres c ON c.cadre_id = g.cadre_id
ORDER BY g.village_code, g.household_id
