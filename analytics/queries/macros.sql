-- Macros created on every cursor whose query calls one (analytics/store/schema.py).
-- Scope macros, used by the queries that group by scope: GROUPING SETS over
-- (county, township, village) give province (all that is loaded), county, township and
-- village rows (a county is the first 6 digits of its townships' codes: analytics/counties.py).
CREATE OR REPLACE TEMP MACRO scope_level(g_village, g_township, g_county) AS
    CASE WHEN g_village = 0 THEN 'village' WHEN g_township = 0 THEN 'township'
         WHEN g_county = 0 THEN 'county' ELSE 'province' END;
CREATE OR REPLACE TEMP MACRO scope_code(g_village, g_township, g_county, village, township, county) AS
    CASE WHEN g_village = 0 THEN village WHEN g_township = 0 THEN township
         WHEN g_county = 0 THEN county ELSE 'province' END;
-- What a viewer may see ($allowed: township codes, or 6-digit county codes, empty = all):
-- a row of a township in the list, or of a township of a county in the list.
CREATE OR REPLACE TEMP MACRO viewer_may_see(allowed, township) AS
    len(allowed) = 0 OR list_contains(allowed, township) OR list_contains(allowed, left(township, 6));

-- 防返贫监测 — the one rule set (documented in analytics/early_warning.py and in
-- docs/glossary.md, section 返贫监测). Thresholds, points and levels come from the
-- configuration as arguments (no semicolons in these comments: the file is split on them). Candidates: the rows of household_risk_factors for year yr (households
-- exited at the end of the year, or relapsed in it). Per candidate, the six rule flags
-- (a missing value meets no rule):
--   low_income           income < p_line_multiple × the poverty line (below 监测线)
--   income_drop          收入骤降: income < (1 − p_drop_pct %) × last year's, last year's > 0
--   illness_or_disaster  relapsed for 因病/因灾, or 基本医疗 not secured
--   dibao, dependants, unstable_wage   aggravating factors (score only)
-- monitored (监测对象) = low_income AND (income_drop OR illness_or_disaster).
-- score = Σ points of the rules met. level, for 监测对象 only: 高 (score ≥ p_high_level),
-- 中 (≥ p_medium_level), 低 (below). A candidate that is not a 监测对象 has no level (NULL).
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
        SELECT *, low_income AND (income_drop OR illness_or_disaster) AS monitored,
               (low_income::INTEGER * p_low_income + income_drop::INTEGER * p_income_drop
                + illness_or_disaster::INTEGER * p_illness + dibao::INTEGER * p_dibao
                + dependants::INTEGER * p_dependants
                + unstable_wage::INTEGER * p_unstable_wage)::BIGINT AS score
        FROM flagged
    )
    SELECT *, CASE WHEN NOT monitored THEN NULL WHEN score >= p_high_level THEN '高'
                   WHEN score >= p_medium_level THEN '中' ELSE '低' END AS level
    FROM scored;
