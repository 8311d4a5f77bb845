-- The townships with their plan (those the viewer may see).
SELECT township_code, name, short_name, kind, planned_exit_year, seat_lat, seat_lon
FROM townships
WHERE viewer_may_see($allowed, township_code)
ORDER BY township_code
