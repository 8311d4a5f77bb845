-- 防返贫监测 per township in one year, over the 监测对象 (macro risk_scored, thresholds and
-- points bound): monitored = 监测对象 households, persons = Σ members, high / medium / low
-- = those at level 高 / 中 / 低 (high + medium + low = monitored), high_persons = Σ members
-- of the 高 ones, income_drop / illness_or_disaster = those meeting that risk event.
-- Only townships with 监测对象; most 高 first.
SELECT township_code, count(*) AS monitored, sum(members)::BIGINT AS persons,
       count(*) FILTER (WHERE level = '高') AS high,
       count(*) FILTER (WHERE level = '中') AS medium,
       count(*) FILTER (WHERE level = '低') AS low,
       coalesce(sum(members) FILTER (WHERE level = '高'), 0)::BIGINT AS high_persons,
       count(*) FILTER (WHERE income_drop) AS income_drop,
       count(*) FILTER (WHERE illness_or_disaster) AS illness_or_disaster
FROM risk_scored($year, $line_multiple, $drop_pct, $dependants_members,
                 $dependants_wage_share_pct, $unstable_wage_share_points, $low_income_points,
                 $income_drop_points, $illness_or_disaster_points, $dibao_points,
                 $dependants_points, $unstable_wage_points, $high_level, $medium_level)
WHERE monitored
  AND (len($townships) = 0 OR list_contains($townships, township_code))
  AND (viewer_may_see($allowed, township_code))
  AND (len($villages) = 0 OR list_contains($villages, village_code))
GROUP BY township_code
ORDER BY high DESC, medium DESC, township_code
