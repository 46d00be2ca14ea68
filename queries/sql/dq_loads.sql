-- Every extract received since $1 (loaded or rejected), per academy, newest first.
SELECT l.urn, l.status, l.extracted_at, l.marks_to, l.rows_loaded, l.rows_rejected,
       l.reason, l.started_at
FROM loads l
WHERE l.urn IS NOT NULL AND l.started_at >= $1
ORDER BY l.urn, l.started_at DESC;
