-- The households that relapsed in one year in the scope (macro risk_scored: every household
-- that relapsed is a candidate), and how many of them are 监测对象, so on the visit list:
-- relapsed ≥ listed; the others are above the monitoring line or had no risk event.
SELECT count(*) FILTER (WHERE is_relapse) AS relapsed,
       count(*) FILTER (WHERE is_relapse AND monitored) AS listed
FROM risk_scored($year, $line_multiple, $drop_pct, $dependants_members,
                 $dependants_wage_share_pct, $unstable_wage_share_points, $low_income_points,
                 $income_drop_points, $illness_or_disaster_points, $dibao_points,
                 $dependants_points, $unstable_wage_points, $high_level, $medium_level)
WHERE (len($townships) = 0 OR list_contains($townships, township_code))
  AND (viewer_may_see($allowed, township_code))
  AND (len($villages) = 0 OR list_contains($villages, village_code))
