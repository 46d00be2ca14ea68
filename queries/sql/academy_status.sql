-- Each academy's loaded rows and its last extract: the home page and `rollcall status`.
WITH mark_counts AS (
    SELECT academy_id, sum(marks) AS marks, min(date) AS first_mark, max(date) AS last_mark
    FROM academy_days GROUP BY academy_id
), pupil_counts AS (
    SELECT academy_id, count(*) AS pupils FROM pupils GROUP BY academy_id
), last_load AS (
    SELECT urn, max_by(load_id, load_id) AS load_id, max(extracted_at) AS extracted_at,
           count(*) FILTER (WHERE status = 'loaded') AS loads,
           count(*) FILTER (WHERE status IN ('rejected', 'failed')) AS rejected_loads
    FROM loads WHERE urn IS NOT NULL GROUP BY urn
)
SELECT a.urn, a.name, a.phase, a.local_authority, coalesce(a.source_system, ''),
       coalesce(p.pupils, 0), coalesce(mc.marks, 0),
       mc.first_mark::VARCHAR, mc.last_mark::VARCHAR,
       strftime(l.extracted_at, '%Y-%m-%dT%H:%M:%SZ'),
       ld.status, ld.marks_from::VARCHAR, ld.marks_to::VARCHAR, ld.rows_loaded, ld.rows_rejected,
       coalesce(l.loads, 0), coalesce(l.rejected_loads, 0)
FROM academies a
LEFT JOIN mark_counts mc USING (academy_id)
LEFT JOIN pupil_counts p USING (academy_id)
LEFT JOIN last_load l ON l.urn = a.urn
LEFT JOIN loads ld ON ld.load_id = l.load_id
ORDER BY a.name;
