-- The counties loaded that the viewer may see: every one when unrestricted, else those
-- named in $allowed or holding a township named there.
SELECT county_code, name FROM counties
WHERE len($allowed) = 0 OR list_contains($allowed, county_code)
   OR list_contains(list_transform($allowed, lambda code: left(code, 6)), county_code)
ORDER BY county_code
