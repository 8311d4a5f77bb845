-- The latest audit rows a viewer may see, newest first. $allowed: the viewer's township
-- or 6-digit county codes (empty: every row). A restricted viewer sees a row only when
-- every code of its scope is within theirs (a township of theirs, or of a county of
-- theirs): their own accounts' actions, never an unrestricted account's (null or empty
-- scope) nor another county's.
SELECT logged_at, actor, role, action, detail, rows FROM audit_log
WHERE len($allowed) = 0
   OR (coalesce(scope, '') <> ''
       AND len(list_filter(string_split(scope, ','),
                           lambda code: NOT (list_contains($allowed, code)
                                             OR list_contains($allowed, left(code, 6))))) = 0)
ORDER BY logged_at DESC LIMIT $limit
