-- Absence by day of week (1 = Monday) and session (0 = AM, 1 = PM) over a window, for
-- one academy or the trust. $1 from, $2 to, $3 DfE scope, $4 URN or NULL.
SELECT isodow(w.date) AS weekday, w.session,
       count(*) AS possible,
       count(*) FILTER (WHERE w.authorised OR w.unauthorised) AS absent
FROM window_marks($1, $2, $3) w
JOIN academies a ON a.academy_id = w.academy_id
WHERE $4 IS NULL OR a.urn = $4
GROUP BY ALL
ORDER BY weekday, w.session;
