-- Rows rejected from extracts received since $1, per academy, file, column and reason,
-- with one example value, most first.
SELECT l.urn, r.file, r.column_name, r.reason, count(*) AS rows, min(r.value) AS example
FROM rejected_rows r
JOIN loads l ON l.load_id = r.load_id
WHERE l.urn IS NOT NULL AND l.started_at >= $1
GROUP BY ALL
ORDER BY l.urn, rows DESC, r.file, r.column_name;
