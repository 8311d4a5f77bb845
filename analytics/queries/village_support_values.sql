-- Every poor village in every year of village_years, with its 驻村帮扶 row when there is
-- one (village_support): the 帮扶单位, whether a 驻村工作队 is recorded (the leader's
-- name is personal and is not read), the team's days in the village per month, and the
-- first year of any 驻村帮扶 record in the dataset (the same for every selection).
SELECT v.village_code, v.township_code, v.name AS village_name, vy.year, s.unit,
       s.team_leader IS NOT NULL AS has_team, s.days_in_village_per_month,
       s.village_code IS NOT NULL AS has_row,
       (SELECT min(year) FROM village_support) AS first_support_year
FROM villages v
JOIN village_years vy USING (village_code)
LEFT JOIN village_support s ON s.village_code = v.village_code AND s.year = vy.year
WHERE v.is_poor_village
  AND (len($townships) = 0 OR list_contains($townships, v.township_code))
  AND (len($villages) = 0 OR list_contains($villages, v.village_code))
  AND (viewer_may_see($allowed, v.township_code))
ORDER BY v.township_code, v.village_code, vy.year
