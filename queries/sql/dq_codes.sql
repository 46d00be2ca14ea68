-- Absent sessions by code from $1 to $2, per academy (on roll, possible sessions only).
SELECT a.urn, w.code::VARCHAR AS code, c.unauthorised, count(*) AS sessions
FROM window_absences($1, $2, false) w
JOIN codes c ON c.code = w.code
JOIN academies a ON a.academy_id = w.academy_id
GROUP BY ALL
ORDER BY a.urn, sessions DESC;
