-- Absent sessions by reason (code) over a window, for one academy or the trust.
-- $1 from, $2 to, $3 DfE scope, $4 URN or NULL.
SELECT w.code::VARCHAR AS code, c.meaning, c.authorised, count(*) AS sessions
FROM window_absences($1, $2, $3) w
JOIN codes c ON c.code = w.code
JOIN academies a ON a.academy_id = w.academy_id
WHERE $4 IS NULL OR a.urn = $4
GROUP BY ALL
ORDER BY sessions DESC, code;
