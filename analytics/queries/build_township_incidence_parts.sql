-- The parts of the 综合贫困发生率 for every year, by township, built once per import:
-- registered poor persons; persons in households counted as exited whose income is below
-- the line or that lack a 三保障 item (错退 suspects); persons of households registered
-- in a later year (漏评: poor at t but not yet on the register — known only in hindsight).
-- Read by comprehensive_incidence_parts (analytics/comprehensive_incidence.py).
CREATE TABLE township_incidence_parts AS
WITH years AS (SELECT DISTINCT year FROM household_facts),
wrong AS (
    SELECT township_code, year,
           sum(members) FILTER (WHERE status = '未脱贫') AS poor_persons,
           sum(members) FILTER (WHERE status = '已脱贫' AND (income < poverty_line OR NOT all_secure))
               AS wrong_exit_persons
    FROM household_facts
    GROUP BY township_code, year
),
late AS (
    SELECT f.township_code, y.year, sum(f.members) AS late_enrolled_persons
    FROM household_facts f
    JOIN years y ON f.registered_year > y.year AND f.year = f.registered_year
    GROUP BY f.township_code, y.year
)
SELECT township_code, year,
       coalesce(w.poor_persons, 0)::BIGINT AS poor_persons,
       coalesce(w.wrong_exit_persons, 0)::BIGINT AS wrong_exit_persons,
       coalesce(l.late_enrolled_persons, 0)::BIGINT AS late_enrolled_persons
FROM wrong w
FULL OUTER JOIN late l USING (township_code, year)
ORDER BY township_code, year;
