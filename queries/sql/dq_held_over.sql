-- What rejected rows kept (held over) and is still standing: pupils' records and
-- marks, and single sessions' marks, with the row's fault. Oldest first.
SELECT a.urn, h.pupil_id, h.date_from, h.date_to, h.session, h.marks_kept, h.load_id,
       h.file, h.line, h.column_name, h.value, h.reason
FROM held_over h
JOIN academies a ON a.academy_id = h.academy_id
ORDER BY a.urn, h.date_from, h.pupil_id, h.session NULLS FIRST, h.line;
