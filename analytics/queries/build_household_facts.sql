-- One row per household per year with everything the figures need: the household's
-- place, the previous year's status, members and income (only when that year's row
-- exists; the same for the wage income, for the early-warning factors), the transition
-- flags, the poverty line of the year, and the household's next recorded year (NULL on its
-- last row: what 自然减少 in build_village_year_households reads, from the same window).
CREATE TABLE household_facts AS
WITH panel AS (
    SELECT
        hy.*,
        h.village_code,
        v.township_code,
        h.registered_year,
        h.poverty_cause,
        h.cadre_id,
        lag(hy.year)                  OVER w AS prev_year,
        lag(hy.status)                OVER w AS prev_status_raw,
        lag(hy.members)               OVER w AS prev_members_raw,
        lag(hy.net_income_per_capita) OVER w AS prev_income_raw,
        lag(hy.wage_income_per_capita) OVER w AS prev_wage_income_raw,
        lead(hy.year)                 OVER w AS next_year
    FROM household_years hy
    JOIN households h USING (household_id)
    JOIN villages v USING (village_code)
    WINDOW w AS (PARTITION BY hy.household_id ORDER BY hy.year)
)
SELECT
    household_id,
    year,
    village_code,
    township_code,
    registered_year,
    poverty_cause,
    cadre_id,
    members,
    net_income_per_capita AS income,
    wage_income_per_capita AS wage_income,
    status,
    relapse_cause,
    dibao_class,
    food_clothing_secure, education_secure, medical_secure, housing_secure, water_secure,
    (food_clothing_secure AND education_secure AND medical_secure
        AND housing_secure AND water_secure) AS all_secure,
    CASE WHEN prev_year = year - 1 THEN prev_status_raw END AS prev_status,
    CASE WHEN prev_year = year - 1 THEN prev_members_raw END AS prev_members,
    CASE WHEN prev_year = year - 1 THEN prev_income_raw END AS prev_income,
    CASE WHEN prev_year = year - 1 THEN prev_wage_income_raw END AS prev_wage_income,
    coalesce(prev_year = year - 1 AND prev_status_raw = '未脱贫' AND status = '已脱贫', false) AS is_exit,
    coalesce(prev_year = year - 1 AND prev_status_raw = '已脱贫' AND status = '未脱贫', false) AS is_relapse,
    pl.poverty_line,
    next_year
FROM panel
LEFT JOIN poverty_lines pl USING (year);
