-- Likely the same person registered twice: household heads with the same name and
-- birth date (ID digits 7–14) in the same township, under different ID numbers.
WITH heads AS (
    SELECT h.household_id, h.village_code, v.township_code, h.head_name, h.head_id_number,
           substr(h.head_id_number, 7, 8) AS birth
    FROM households h JOIN villages v USING (village_code)
)
SELECT a.township_code, a.household_id, a.village_code, a.head_name, a.head_id_number,
       b.household_id AS other_household_id, b.head_id_number AS other_id_number
FROM heads a
JOIN heads b ON a.township_code = b.township_code AND a.head_name = b.head_name
            AND a.birth = b.birth AND a.household_id < b.household_id
WHERE viewer_may_see($allowed, a.township_code)
ORDER BY a.township_code, a.household_id
