-- The parts of the 综合贫困发生率 for every year, by township (the viewer's townships):
-- built at import in township_incidence_parts (build_township_incidence_parts.sql).
SELECT township_code, year, poor_persons, wrong_exit_persons, late_enrolled_persons
FROM township_incidence_parts
WHERE viewer_may_see($allowed, township_code)
ORDER BY township_code, year
