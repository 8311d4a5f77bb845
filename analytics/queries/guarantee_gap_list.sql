-- Households with at least one 两不愁三保障 guarantee (or 饮水安全) recorded as not met
-- (false) at the end of $year, by village, the first $limit of them ($limit NULL: all),
-- with each guarantee as recorded (null: not recorded).
WITH gap AS (
    SELECT f.household_id, f.township_code, f.village_code, f.members, f.status, f.cadre_id,
           f.food_clothing_secure, f.education_secure, f.medical_secure, f.housing_secure,
           f.water_secure
    FROM household_facts f
    WHERE f.year = $year
      AND (NOT f.food_clothing_secure OR NOT f.education_secure OR NOT f.medical_secure
           OR NOT f.housing_secure OR NOT f.water_secure)
      AND (len($townships) = 0 OR list_contains($townships, f.township_code))
      AND (len($villages) = 0 OR list_contains($villages, f.village_code))
      AND (viewer_may_see($allowed, f.township_code))
    ORDER BY f.village_code, f.household_id
    LIMIT $limit
)
SELECT g.household_id, g.township_code, t.name AS township_name, g.village_code,
       v.name AS village_name, h.head_name,
       h.head_id_number, g.members, g.status, g.food_clothing_secure, g.education_secure,
       g.medical_secure, g.housing_secure, g.water_secure, c.name AS cadre_name
FROM gap g
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = g.village_code
JOIN townships t ON t.township_code = g.township_code
LEFT JOIN cadres c ON c.cadre_id = g.cadre_id
ORDER BY g.village_code, g.household_id
