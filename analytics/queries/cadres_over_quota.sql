-- The cadre-years over the "8741" quota: cadres paired with more registered households
-- in a year than the quota of their rank ($ranks[i] has quota $quotas[i]; a rank
-- without a quota is never over it), with the count and the quota. Only cadres with a
-- household in the chosen townships and villages ($townships, $villages; empty: all) are
-- listed, with their households in the whole (allowed) county counted against the quota.
-- Summed from cadre_over_quota_villages (built at import: every cadre-year that can be
-- over the quota in any set of townships).
WITH quota AS (
    SELECT unnest($ranks) AS rank, unnest($quotas) AS quota
), allowed AS (
    SELECT * FROM cadre_over_quota_villages
    WHERE viewer_may_see($allowed, township_code)
), load AS (
    SELECT cadre_id, year, sum(households)::BIGINT AS households
    FROM allowed
    GROUP BY cadre_id, year
), chosen AS (
    SELECT DISTINCT cadre_id, year
    FROM allowed
    WHERE (len($townships) = 0 OR list_contains($townships, township_code))
      AND (len($villages) = 0 OR list_contains($villages, village_code))
)
SELECT c.cadre_id, c.name AS cadre_name, c.rank, c.unit, l.year, l.households, q.quota
FROM load l
JOIN chosen ch ON ch.cadre_id = l.cadre_id AND ch.year = l.year
JOIN cadres c ON c.cadre_id = l.cadre_id
JOIN quota q ON q.rank = c.rank
WHERE l.households > q.quota
ORDER BY c.cadre_id, l.year
