-- One row per village of the chosen townships (all when the list is empty) in one year:
-- its figures and its infrastructure checklist from the village ledger.
SELECT
    v.township_code, t.name AS township_name, v.village_code, v.name AS village_name,
    v.is_poor_village, v.planned_exit_year, v.exit_year,
    f.registered_population, f.poor_persons, f.poverty_incidence_pct,
    f.exited_persons, f.relapsed_persons, f.exited_stock_start, f.relapse_rate_pct,
    f.rural_income_per_capita, f.registered_income_per_capita, f.registered_households,
    vy.cement_road, vy.safe_water, vy.power_grid, vy.clinic, vy.kindergarten, vy.broadband,
    vy.online_shops, vy.mutual_fund_yuan, vy.collective_income_yuan
FROM villages v
JOIN townships t USING (township_code)
JOIN figures f ON f.scope_level = 'village' AND f.scope_code = v.village_code AND f.year = $year
LEFT JOIN village_years vy ON vy.village_code = v.village_code AND vy.year = $year
WHERE (len($townships) = 0 OR list_contains($townships, v.township_code))
  AND (viewer_may_see($allowed, v.township_code))
  AND (len($villages) = 0 OR list_contains($villages, v.village_code))
ORDER BY v.township_code, v.village_code
