-- 防返贫 early-warning factors of every monitored household-year (exited at the end of
-- the year, or relapsed in it): the values the six rules of analytics/early_warning.py
-- test, thresholds left to query time (macro risk_scored in macros.sql, which also
-- serves the at-risk rules of analytics/households.py: every household at risk is
-- monitored). Sorted by year and township, so one year's or one township's rows are
-- read alone (sorting on the village and household as well cost 0.3 s of a 7.5 s import
-- at scale 10 and saves nothing: a village's rows are a small part of its township's).
-- Wage shares as in queries/risk_factors.sql (the detail reference).
CREATE TABLE household_risk_factors AS
SELECT year, township_code, village_code, household_id, cadre_id, members, status, is_relapse,
       income, prev_income, poverty_line, relapse_cause, dibao_class, medical_secure,
       100.0 * wage_income / nullif(income, 0) AS wage_share_pct,
       100.0 * prev_wage_income / nullif(prev_income, 0) AS prev_wage_share_pct
FROM household_facts
WHERE status = '已脱贫' OR is_relapse
ORDER BY year, township_code;
