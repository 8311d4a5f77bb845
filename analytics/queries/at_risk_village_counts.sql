-- 防返贫监测 per village in one year: the columns of risk_level_counts.sql (监测对象,
-- persons, 高 / 中 / 低, 高 persons, each risk event), one row per village with 监测对象,
-- by township, then village code.
SELECT f.township_code, f.village_code, v.name AS village_name,
       count(*) AS monitored, sum(f.members)::BIGINT AS persons,
       count(*) FILTER (WHERE f.level = '高') AS high,
       count(*) FILTER (WHERE f.level = '中') AS medium,
       count(*) FILTER (WHERE f.level = '低') AS low,
       coalesce(sum(f.members) FILTER (WHERE f.level = '高'), 0)::BIGINT AS high_persons,
       count(*) FILTER (WHERE f.income_drop) AS income_drop,
       count(*) FILTER (WHERE f.illness_or_disaster) AS illness_or_disaster
FROM risk_scored($year, $line_multiple, $drop_pct, $dependants_members,
                 $dependants_wage_share_pct, $unstable_wage_share_points, $low_income_points,
                 $income_drop_points, $illness_or_disaster_points, $dibao_points,
                 $dependants_points, $unstable_wage_points, $high_level, $medium_level) f
JOIN villages v ON v.village_code = f.village_code
WHERE f.monitored
  AND (len($townships) = 0 OR list_contains($townships, f.township_code))
  AND (viewer_may_see($allowed, f.township_code))
  AND (len($villages) = 0 OR list_contains($villages, f.village_code))
GROUP BY f.township_code, f.village_code, v.name
ORDER BY f.township_code, f.village_code
