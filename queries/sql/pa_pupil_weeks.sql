-- One academy's persistent absentees over a window (enrolments at 10% absence or more)
-- and their absence week by week. $1 from, $2 to, $3 DfE scope, $4 the academy's URN.
-- Most absent first. Year group as at the window's end.
WITH per_week AS (
    SELECT w.pupil_key, date_trunc('week', w.date)::DATE AS week,
           sum(w.possible) AS possible,
           sum(w.authorised + w.unauthorised) AS absent
    FROM window_days($1, $2, $3) w
    JOIN academies a ON a.academy_id = w.academy_id
    WHERE a.urn = $4
    GROUP BY ALL
),
persistent AS (
    SELECT pupil_key, sum(possible) AS possible, sum(absent) AS absent
    FROM per_week
    GROUP BY pupil_key
    HAVING sum(absent) * 10 >= sum(possible)
)
SELECT p.pupil_id, p.upn, p.forename, p.surname,
       year_group_label(p.nc_year + academic_year($2::DATE) - p.year_group_year) AS year_group,
       t.possible, t.absent, w.week, w.possible, w.absent
FROM persistent t
JOIN per_week w ON w.pupil_key = t.pupil_key
JOIN pupils p ON p.pupil_key = t.pupil_key
ORDER BY t.absent / t.possible DESC, p.surname, p.forename, p.pupil_id, w.week;
