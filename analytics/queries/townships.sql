-- The townships with their plan.
SELECT township_code, name, short_name, kind, planned_exit_year, seat_lat, seat_lon
FROM townships ORDER BY township_code
