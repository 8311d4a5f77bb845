-- Every cadre with the number of registered households paired with them in each year
-- (households on the register that year), against the "8741" quota of their rank.
SELECT c.cadre_id, c.name AS cadre_name, c.rank, c.unit, f.year,
    count(f.household_id)::BIGINT AS households
FROM cadres c
JOIN household_facts f ON f.cadre_id = c.cadre_id
WHERE (viewer_may_see($allowed, f.township_code))
GROUP BY ALL
ORDER BY c.cadre_id, f.year
