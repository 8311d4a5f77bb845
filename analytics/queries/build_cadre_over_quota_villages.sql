-- The "8741" candidates, built once per import: for each cadre-year whose load over the
-- whole dataset (registered households on the register that year, paired with the cadre)
-- is more than the quota of the cadre's rank ($ranks[i] has quota $quotas[i], from the
-- contract; a rank without a quota is never over it), its households by village.
-- A viewer's load is never larger than the whole load, so every cadre-year over the quota
-- within any set of townships is here: cadres_over_quota sums this small table instead
-- of scanning household_facts when a page opens (issue 18, point 3).
CREATE TABLE cadre_over_quota_villages AS
WITH quota AS (
    SELECT unnest($ranks) AS rank, unnest($quotas) AS quota
), load AS (
    SELECT cadre_id, year, count(household_id) AS households
    FROM household_facts
    WHERE cadre_id IS NOT NULL
    GROUP BY cadre_id, year
), over AS (
    SELECT l.cadre_id, l.year
    FROM load l
    JOIN cadres c USING (cadre_id)
    JOIN quota q ON q.rank = c.rank
    WHERE l.households > q.quota
)
SELECT f.cadre_id, f.year, f.township_code, f.village_code,
       count(f.household_id)::BIGINT AS households
FROM household_facts f
SEMI JOIN over o ON o.cadre_id = f.cadre_id AND o.year = f.year
GROUP BY f.cadre_id, f.year, f.township_code, f.village_code
ORDER BY f.cadre_id, f.year, f.township_code, f.village_code;
