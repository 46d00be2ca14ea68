-- Absence by day of week (1 = Monday) and session (0 = AM, 1 = PM) over a window, per
-- academy and for the trust (urn NULL). $1 from, $2 to, $3 DfE scope, $4 an academy's
-- URN or NULL for every academy; $5 each academy's own window (`academy_windows`, within
-- $1..$2).
SELECT a.urn, isodow(w.date) AS weekday, w.session,
       count(*) AS possible,
       count(*) FILTER (WHERE w.authorised OR w.unauthorised) AS absent
FROM academy_window_marks($5, $1, $2, $3) w
JOIN academies a ON a.academy_id = w.academy_id
WHERE $4 IS NULL OR a.urn = $4
GROUP BY GROUPING SETS ((a.urn, weekday, w.session), (weekday, w.session))
ORDER BY a.urn NULLS FIRST, weekday, w.session;
