-- One household's registration record with its village, township and responsible cadre.
SELECT h.household_id, h.head_name, h.head_id_number, h.registered_year, h.poverty_cause,
       v.village_code, v.name AS village_name, t.township_code, t.name AS township_name,
       c.cadre_id, c.name AS cadre_name, c.rank AS cadre_rank, c.unit AS cadre_unit
FROM households h
JOIN villages v USING (village_code)
JOIN townships t ON t.township_code = v.township_code
LEFT JOIN cadres c ON c.cadre_id = h.cadre_id
WHERE h.household_id = $household_id
  AND (len($townships) = 0 OR list_contains($townships, t.township_code))
  AND (viewer_may_see($allowed, t.township_code))
