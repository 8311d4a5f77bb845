-- Relapse causes that contradict the statuses: a cause on a row that is not a relapse
-- (status not 未脱贫 after 已脱贫), or a relapse with no cause.
SELECT household_id, year, township_code, village_code, prev_status, status, relapse_cause,
       CASE WHEN is_relapse THEN 'relapse_without_cause' ELSE 'cause_without_relapse' END AS problem
FROM household_facts
WHERE ((is_relapse AND relapse_cause IS NULL) OR (NOT is_relapse AND relapse_cause IS NOT NULL))
  AND viewer_may_see($allowed, township_code)
ORDER BY township_code, household_id, year
