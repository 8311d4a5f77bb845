-- Macros created on every cursor whose query calls one (analytics/store.py).
-- Scope macros, used by the queries that group by scope: GROUPING SETS over
-- (township, village) give county, township and village rows.
CREATE OR REPLACE TEMP MACRO scope_level(g_village, g_township) AS
    CASE WHEN g_village = 0 THEN 'village' WHEN g_township = 0 THEN 'township' ELSE 'county' END;
CREATE OR REPLACE TEMP MACRO scope_code(g_village, g_township, village, township) AS
    CASE WHEN g_village = 0 THEN village WHEN g_township = 0 THEN township ELSE 'county' END;

-- 防返贫 early warning (rules and points documented in analytics/early_warning.py): the
-- monitored households of year yr with the six rule flags, score = Σ points of the rules
-- met, and level 高 (score ≥ high) / 中 (≥ medium) / 低 (≥ 1) / 无. Thresholds, points
-- and levels come from the configuration as arguments. A missing value meets no rule.
CREATE OR REPLACE TEMP MACRO risk_scored(yr, p_line_multiple, p_drop_pct, p_dep_members,
        p_dep_wage_share_pct, p_unstable_points, p_low_income, p_income_drop, p_illness,
        p_dibao, p_dependants, p_unstable_wage, p_high_level, p_medium_level) AS TABLE
    WITH flagged AS (
        SELECT r.*,
               coalesce(r.income < p_line_multiple * r.poverty_line, false) AS low_income,
               coalesce(r.prev_income > 0
                        AND r.income < r.prev_income * (1 - p_drop_pct / 100), false) AS income_drop,
               coalesce(r.is_relapse AND r.relapse_cause IN ('因病', '因灾'), false)
                   OR coalesce(NOT r.medical_secure, false) AS illness_or_disaster,
               r.dibao_class IS NOT NULL AS dibao,
               coalesce(r.members >= p_dep_members
                        AND coalesce(r.wage_share_pct, 0) < p_dep_wage_share_pct, false) AS dependants,
               coalesce(abs(r.wage_share_pct - r.prev_wage_share_pct) > p_unstable_points,
                        false) AS unstable_wage
        FROM household_risk_factors r
        WHERE r.year = yr
    ), scored AS (
        SELECT *, (low_income::INTEGER * p_low_income + income_drop::INTEGER * p_income_drop
                   + illness_or_disaster::INTEGER * p_illness + dibao::INTEGER * p_dibao
                   + dependants::INTEGER * p_dependants
                   + unstable_wage::INTEGER * p_unstable_wage)::BIGINT AS score
        FROM flagged
    )
    SELECT *, CASE WHEN score >= p_high_level THEN '高' WHEN score >= p_medium_level THEN '中'
                   WHEN score >= 1 THEN '低' ELSE '无' END AS level
    FROM scored;

-- 防返贫监测 at-risk rules (analytics/households.py at_risk_households) for the monitored
-- households of year yr: an exited household whose income < p_line_multiple × the line,
-- or fell by more than p_drop_pct % on the year, or a household that relapsed for
-- illness or disaster. at_risk: any of the three.
CREATE OR REPLACE TEMP MACRO at_risk_flagged(yr, p_line_multiple, p_drop_pct) AS TABLE
    WITH flagged AS (
        SELECT r.*,
               r.status = '已脱贫' AND r.income < p_line_multiple * r.poverty_line AS low_income,
               coalesce(r.status = '已脱贫' AND r.prev_income > 0
                        AND r.income < r.prev_income * (1 - p_drop_pct / 100.0), false) AS income_drop,
               coalesce(r.is_relapse AND r.relapse_cause IN ('因病', '因灾'), false) AS illness_or_disaster
        FROM household_risk_factors r
        WHERE r.year = yr
    )
    SELECT *, coalesce(low_income OR income_drop OR illness_or_disaster, false) AS at_risk
    FROM flagged;
