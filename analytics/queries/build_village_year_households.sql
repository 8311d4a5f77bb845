-- One row per village and year with the counts behind the plan's household commitments
-- (issue 16), built once per import so that every page and rollup reads a small table:
--   households, persons                      建档立卡 households with a row that year, and their members
--   poor_households, poor_persons            of them, status 未脱贫
--   <g>_met / _unmet / _unknown (persons)    两不愁三保障 + 饮水安全, one triple per guarantee:
--                                            true / false / null (not recorded) at year end
--   households_any_unmet                     households with at least one guarantee false
--   dibao1_*, dibao2_*                       低保 一类 / 二类 households and persons
--   poor_dibao_households                    poor households under 低保 (either class)
--   households_with_cadre, poor_households_with_cadre   帮扶责任人 recorded (8741)
--   poor_households_with_measure             poor households with a 一户一策 measure in
--                                            any year up to this one
--   new_households, new_persons              新识别: registered_year = year
--   removed_households, removed_persons,     自然减少: a row the year before and none this
--   removed_poor_persons                     year (within the panel's years); members of the
--                                            year before; the poor ones among them
--   decomposition of Δ poor persons on the year before (analytics/register_changes.py):
--   delta_exits (−exited persons, members this year), delta_relapses (+relapsed persons),
--   delta_new (+poor 新识别 entering), delta_reentered (+poor households back on the
--   register after a gap), delta_removed (−removed_poor_persons), delta_size (members
--   changing in households poor last year that stayed on the register)
CREATE TABLE village_year_households AS
WITH first_measure AS (
    SELECT household_id, min(year) AS first_year
    FROM household_measures
    GROUP BY household_id
), panel AS (
    SELECT f.*,
           fm.first_year AS first_measure_year
    FROM household_facts f
    LEFT JOIN first_measure fm USING (household_id)
), last_year AS (
    SELECT max(year) AS y FROM household_facts
), this_year AS (
    SELECT
        village_code, any_value(township_code) AS township_code, year,
        count(*) AS households,
        sum(members) AS persons,
        count(*) FILTER (WHERE status = '未脱贫') AS poor_households,
        coalesce(sum(members) FILTER (WHERE status = '未脱贫'), 0) AS poor_persons,
        coalesce(sum(members) FILTER (WHERE food_clothing_secure), 0) AS food_clothing_met,
        coalesce(sum(members) FILTER (WHERE NOT food_clothing_secure), 0) AS food_clothing_unmet,
        coalesce(sum(members) FILTER (WHERE food_clothing_secure IS NULL), 0) AS food_clothing_unknown,
        coalesce(sum(members) FILTER (WHERE education_secure), 0) AS education_met,
        coalesce(sum(members) FILTER (WHERE NOT education_secure), 0) AS education_unmet,
        coalesce(sum(members) FILTER (WHERE education_secure IS NULL), 0) AS education_unknown,
        coalesce(sum(members) FILTER (WHERE medical_secure), 0) AS medical_met,
        coalesce(sum(members) FILTER (WHERE NOT medical_secure), 0) AS medical_unmet,
        coalesce(sum(members) FILTER (WHERE medical_secure IS NULL), 0) AS medical_unknown,
        coalesce(sum(members) FILTER (WHERE housing_secure), 0) AS housing_met,
        coalesce(sum(members) FILTER (WHERE NOT housing_secure), 0) AS housing_unmet,
        coalesce(sum(members) FILTER (WHERE housing_secure IS NULL), 0) AS housing_unknown,
        coalesce(sum(members) FILTER (WHERE water_secure), 0) AS water_met,
        coalesce(sum(members) FILTER (WHERE NOT water_secure), 0) AS water_unmet,
        coalesce(sum(members) FILTER (WHERE water_secure IS NULL), 0) AS water_unknown,
        count(*) FILTER (WHERE NOT food_clothing_secure OR NOT education_secure OR NOT medical_secure
                            OR NOT housing_secure OR NOT water_secure) AS households_any_unmet,
        count(*) FILTER (WHERE dibao_class = '一类') AS dibao1_households,
        coalesce(sum(members) FILTER (WHERE dibao_class = '一类'), 0) AS dibao1_persons,
        count(*) FILTER (WHERE dibao_class = '二类') AS dibao2_households,
        coalesce(sum(members) FILTER (WHERE dibao_class = '二类'), 0) AS dibao2_persons,
        count(*) FILTER (WHERE status = '未脱贫' AND dibao_class IS NOT NULL) AS poor_dibao_households,
        count(*) FILTER (WHERE cadre_id IS NOT NULL) AS households_with_cadre,
        count(*) FILTER (WHERE status = '未脱贫' AND cadre_id IS NOT NULL) AS poor_households_with_cadre,
        count(*) FILTER (WHERE status = '未脱贫' AND first_measure_year <= year)
            AS poor_households_with_measure,
        count(*) FILTER (WHERE registered_year = year) AS new_households,
        coalesce(sum(members) FILTER (WHERE registered_year = year), 0) AS new_persons,
        -coalesce(sum(members) FILTER (WHERE is_exit), 0) AS delta_exits,
        coalesce(sum(members) FILTER (WHERE is_relapse), 0) AS delta_relapses,
        coalesce(sum(members) FILTER (WHERE prev_status IS NULL AND status = '未脱贫'
                                      AND registered_year = year), 0) AS delta_new,
        coalesce(sum(members) FILTER (WHERE prev_status IS NULL AND status = '未脱贫'
                                      AND registered_year < year), 0) AS delta_reentered,
        coalesce(sum(members - prev_members) FILTER (WHERE prev_status = '未脱贫'), 0) AS delta_size
    FROM panel
    GROUP BY village_code, year
), removed AS (  -- counted in the year they are missing from
    SELECT village_code, any_value(township_code) AS township_code, year + 1 AS year,
           count(*) AS removed_households,
           sum(members) AS removed_persons,
           coalesce(sum(members) FILTER (WHERE status = '未脱贫'), 0) AS removed_poor_persons
    FROM panel, last_year
    WHERE year < last_year.y AND (next_year IS NULL OR next_year > year + 1)
    GROUP BY village_code, year
)
SELECT
    village_code,
    coalesce(t.township_code, r.township_code) AS township_code,
    year,
    coalesce(COLUMNS(t.* EXCLUDE (village_code, township_code, year)), 0)::BIGINT,
    coalesce(r.removed_households, 0)::BIGINT AS removed_households,
    coalesce(r.removed_persons, 0)::BIGINT AS removed_persons,
    coalesce(r.removed_poor_persons, 0)::BIGINT AS removed_poor_persons,
    -coalesce(r.removed_poor_persons, 0)::BIGINT AS delta_removed
FROM this_year t
FULL JOIN removed r USING (village_code, year)
ORDER BY township_code, village_code, year;
