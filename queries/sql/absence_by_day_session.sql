-- Absence by day of week (1 = Monday) and session (0 = AM, 1 = PM) over a window, per
-- academy and for the trust (urn NULL). $1 from, $2 to, $3 DfE scope, $4 an academy's
-- URN or NULL for every academy; $5 each academy's own window (`academy_windows`, within
-- $1..$2).
WITH days AS (
    SELECT academy_id, date, am_code, pm_code FROM academy_window_days($5, $1, $2, $3)
),
sessions AS (
    SELECT academy_id, date, 0::UTINYINT AS session, am_code AS code
    FROM days WHERE am_code IS NOT NULL
    UNION ALL
    SELECT academy_id, date, 1::UTINYINT AS session, pm_code AS code
    FROM days WHERE pm_code IS NOT NULL
)
SELECT a.urn, isodow(s.date) AS weekday, s.session,
       count(*) AS possible,
       count(*) FILTER (WHERE c.authorised OR c.unauthorised) AS absent
FROM sessions s
JOIN codes c ON c.code = s.code
JOIN academies a ON a.academy_id = s.academy_id
WHERE $4 IS NULL OR a.urn = $4
GROUP BY GROUPING SETS ((a.urn, weekday, s.session), (weekday, s.session))
ORDER BY a.urn NULLS FIRST, weekday, s.session;
