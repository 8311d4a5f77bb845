-- 防返贫 early warning per township in one year: monitored households, 高 and 中
-- households and 高-risk persons (macro risk_scored, thresholds and points bound).
SELECT township_code, count(*) AS monitored,
       count(*) FILTER (WHERE level = '高') AS high,
       count(*) FILTER (WHERE level = '中') AS medium,
       coalesce(sum(members) FILTER (WHERE level = '高'), 0)::BIGINT AS high_persons
FROM risk_scored($year, $line_multiple, $drop_pct, $dependants_members,
                 $dependants_wage_share_pct, $unstable_wage_share_points, $low_income_points,
                 $income_drop_points, $illness_or_disaster_points, $dibao_points,
                 $dependants_points, $unstable_wage_points, $high_level, $medium_level)
WHERE (len($townships) = 0 OR list_contains($townships, township_code))
  AND (len($allowed) = 0 OR list_contains($allowed, township_code))
  AND (len($villages) = 0 OR list_contains($villages, village_code))
GROUP BY township_code
ORDER BY high DESC, medium DESC, township_code
