-- The cadre-years over the "8741" quota: cadres paired with more registered households
-- in a year than the quota of their rank ($ranks[i] has quota $quotas[i]; a rank
-- without a quota is never over it), with the count and the quota. Only cadres with a
-- household in the chosen townships and villages ($townships, $villages; empty: all) are
-- listed, with their households in the whole (allowed) county counted against the quota.
WITH quota AS (
    SELECT unnest($ranks) AS rank, unnest($quotas) AS quota
), load AS (
    SELECT f.cadre_id, f.year, count(f.household_id)::BIGINT AS households
    FROM household_facts f
    WHERE f.cadre_id IS NOT NULL
      AND (len($allowed) = 0 OR list_contains($allowed, f.township_code))
    GROUP BY f.cadre_id, f.year
), chosen AS (
    SELECT DISTINCT f.cadre_id, f.year
    FROM household_facts f
    WHERE f.cadre_id IS NOT NULL
      AND (len($townships) = 0 OR list_contains($townships, f.township_code))
      AND (len($villages) = 0 OR list_contains($villages, f.village_code))
      AND (len($allowed) = 0 OR list_contains($allowed, f.township_code))
)
SELECT c.cadre_id, c.name AS cadre_name, c.rank, c.unit, l.year, l.households, q.quota
FROM load l
JOIN chosen ch ON ch.cadre_id = l.cadre_id AND ch.year = l.year
JOIN cadres c ON c.cadre_id = l.cadre_id
JOIN quota q ON q.rank = c.rank
WHERE l.households > q.quota
ORDER BY c.cadre_id, l.year
