-- The same ID number on more than one household.
SELECT h.head_id_number, h.household_id, h.village_code, h.head_name
FROM households h
JOIN (SELECT head_id_number FROM households GROUP BY 1 HAVING count(*) > 1) d USING (head_id_number)
WHERE viewer_may_see($allowed, left(h.village_code, 9))  -- a village code starts with its township's
ORDER BY h.head_id_number, h.household_id
