-- Persistent absence to date at the end of each school week: for each week, every
-- enrolment's sessions from the start of the window to that week's end, and the share
-- of enrolments (with a possible session by then) at 10% absence or more.
-- Per academy and for the trust (urn NULL). $1 from, $2 to, $3 DfE scope, $4 an
-- academy's URN or NULL for every academy; $5 each academy's own window
-- (`academy_windows`, within $1..$2). Weeks start on Monday; a week is in the grid
-- when any academy asked about had a possible session in it.
WITH weekly AS (
    SELECT w.academy_id, w.pupil_key, date_trunc('week', w.date)::DATE AS week,
           sum(w.possible) AS possible,
           sum(w.authorised + w.unauthorised) AS absent
    FROM academy_window_days($5, $1, $2, $3) w
    JOIN academies a ON a.academy_id = w.academy_id
    WHERE $4 IS NULL OR a.urn = $4
    GROUP BY ALL
),
to_date AS (
    SELECT academy_id, pupil_key, week,
           sum(possible) OVER running AS possible,
           sum(absent) OVER running AS absent
    FROM weekly
    WINDOW running AS (PARTITION BY academy_id, pupil_key ORDER BY week)
),
weeks AS (SELECT DISTINCT week FROM weekly),
enrolments AS (SELECT DISTINCT academy_id, pupil_key FROM weekly),
grid AS (
    -- Each enrolment at each week: its figures as of its latest week up to then.
    SELECT g.academy_id, g.week, t.possible, t.absent
    FROM (SELECT e.academy_id, e.pupil_key, k.week FROM enrolments e CROSS JOIN weeks k) g
    ASOF JOIN to_date t
        ON t.academy_id = g.academy_id AND t.pupil_key = g.pupil_key AND t.week <= g.week
)
SELECT a.urn, g.week,
       count(*) AS enrolments,
       count(*) FILTER (WHERE g.absent * 10 >= g.possible) AS pa_enrolments
FROM grid g
JOIN academies a ON a.academy_id = g.academy_id
GROUP BY GROUPING SETS ((a.urn, g.week), (g.week))
ORDER BY a.urn NULLS FIRST, g.week;
