-- Poor villages planned and actually exited, by year and township.
SELECT v.township_code, y.year,
    count(*) FILTER (WHERE v.is_poor_village AND v.planned_exit_year = y.year)::BIGINT AS planned_villages,
    count(*) FILTER (WHERE v.is_poor_village AND v.exit_year = y.year)::BIGINT AS exited_villages,
    count(*) FILTER (WHERE v.is_poor_village)::BIGINT AS poor_villages
FROM villages v CROSS JOIN (SELECT DISTINCT year FROM figures) y
WHERE (viewer_may_see($allowed, v.township_code))
GROUP BY v.township_code, y.year
ORDER BY v.township_code, y.year
