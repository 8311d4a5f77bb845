-- Each village's infrastructure and funds (village_years) in every year, with what the
-- targets need to know about the village: poor or not, and its planned exit year.
SELECT vy.village_code, v.township_code, v.name AS village_name, v.is_poor_village,
       v.planned_exit_year, vy.year, vy.cement_road, vy.safe_water, vy.power_grid, vy.clinic,
       vy.kindergarten, vy.broadband, vy.online_shops, vy.mutual_fund_yuan
FROM village_years vy
JOIN villages v USING (village_code)
WHERE (len($townships) = 0 OR list_contains($townships, v.township_code))
  AND (len($villages) = 0 OR list_contains($villages, vy.village_code))
  AND (viewer_may_see($allowed, v.township_code))
ORDER BY v.township_code, vy.village_code, vy.year
