-- 防返贫监测 list (the monthly visit list): the 监测对象 of one year (macro risk_scored)
-- by village, highest score first, the first $limit of them ($limit NULL: all), with
-- their flags, score, level and the responsible cadre.
WITH listed AS (
    SELECT *
    FROM risk_scored($year, $line_multiple, $drop_pct, $dependants_members,
                     $dependants_wage_share_pct, $unstable_wage_share_points, $low_income_points,
                     $income_drop_points, $illness_or_disaster_points, $dibao_points,
                     $dependants_points, $unstable_wage_points, $high_level, $medium_level)
    WHERE monitored
      AND (len($townships) = 0 OR list_contains($townships, township_code))
      AND (viewer_may_see($allowed, township_code))
      AND (len($villages) = 0 OR list_contains($villages, village_code))
    ORDER BY village_code, score DESC, household_id
    LIMIT $limit
)
SELECT l.household_id, l.township_code, t.name AS township_name, l.village_code,
       v.name AS village_name, h.head_name,
       h.head_id_number, l.members, l.status, l.is_relapse, l.income, l.prev_income,
       l.poverty_line, l.relapse_cause, l.dibao_class, l.low_income, l.income_drop,
       l.illness_or_disaster, l.dibao, l.dependants, l.unstable_wage, l.score, l.level,
       c.name AS cadre_name, c.rank AS cadre_rank
FROM listed l
JOIN households h USING (household_id)
JOIN villages v ON v.village_code = l.village_code
JOIN townships t ON t.township_code = l.township_code
LEFT JOIN cadres c ON c.cadre_id = l.cadre_id
ORDER BY l.village_code, l.score DESC, l.household_id
