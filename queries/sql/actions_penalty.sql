-- Unauthorised absence (G, N, O, U) in every rolling window of 10 school weeks that
-- ends in a school week from $4 to $3, per enrolment with any. A school week is a
-- Monday-to-Sunday week in which the academy had a possible session (closures, `#`,
-- are not sessions); windows run back across half terms, terms and academic years
-- (from $2). $1 an academy's URN or NULL.
WITH weeks AS (
    SELECT academy_id, week, row_number() OVER (PARTITION BY academy_id ORDER BY week) AS k
    FROM (SELECT DISTINCT academy_id, date_trunc('week', date)::DATE AS week
          FROM school_days($2, $3))
),
unauth AS (
    SELECT w.academy_id, w.pupil_key, wk.k, sum(w.unauthorised) AS n
    FROM window_days($2, $3, false) w
    JOIN weeks wk ON wk.academy_id = w.academy_id AND wk.week = date_trunc('week', w.date)
    WHERE w.unauthorised > 0
    GROUP BY ALL
),
ends AS (
    -- Every (enrolment with any, school week ending a window from $4).
    SELECT e.academy_id, e.pupil_key, wk.k, wk.week
    FROM (SELECT DISTINCT academy_id, pupil_key FROM unauth) e
    JOIN weeks wk ON wk.academy_id = e.academy_id
    WHERE wk.week >= date_trunc('week', $4::DATE)
),
windows AS (
    SELECT e.academy_id, e.pupil_key, e.k, e.week, coalesce(sum(u.n), 0) AS sessions
    FROM ends e
    LEFT JOIN unauth u ON u.academy_id = e.academy_id AND u.pupil_key = e.pupil_key
        AND u.k BETWEEN e.k - 9 AND e.k
    GROUP BY ALL
)
SELECT a.urn, p.pupil_id, p.upn, p.forename, p.surname,
       year_group_label(p.nc_year + academic_year($3::DATE) - p.year_group_year) AS year_group,
       w.week AS last_week,
       (SELECT min(x.week) FROM weeks x WHERE x.academy_id = w.academy_id AND x.k >= w.k - 9) AS first_week,
       w.sessions,
       w.k = (SELECT max(x.k) FROM weeks x WHERE x.academy_id = w.academy_id) AS is_now
FROM windows w
JOIN pupils p ON p.pupil_key = w.pupil_key
JOIN academies a ON a.academy_id = w.academy_id
WHERE ($1 IS NULL OR a.urn = $1)
ORDER BY a.urn, p.pupil_id, w.week;
