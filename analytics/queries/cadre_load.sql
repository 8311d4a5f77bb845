-- Every cadre with the number of registered households paired with them in each year
-- (households on the register that year, in the viewer's townships), against the "8741"
-- quota of their rank; summed from cadre_village_years (built at import).
SELECT c.cadre_id, c.name AS cadre_name, c.rank, c.unit, l.year,
    sum(l.households)::BIGINT AS households
FROM cadres c
JOIN cadre_village_years l ON l.cadre_id = c.cadre_id
WHERE (len($allowed) = 0 OR list_contains($allowed, l.township_code))
GROUP BY ALL
ORDER BY c.cadre_id, l.year
