-- `N` (reason not yet provided) marks still in the registers, per enrolment, with their
-- age in school days (the academy's school days after the mark, to its latest), from
-- $2 to $3, at least $4 school days old, for enrolments on roll on the academy's latest
-- day (marks inside a spell). $1 an academy's URN or NULL.
WITH days AS (
    SELECT * FROM school_days($2, $3)
),
last AS (
    SELECT academy_id, max(k) AS k, max(date) AS date FROM days GROUP BY academy_id
),
open AS (
    SELECT m.academy_id, m.pupil_key, m.date, m.unexplained, l.k - d.k AS age
    FROM window_days($2, $3, false) m
    JOIN days d ON d.academy_id = m.academy_id AND d.date = m.date
    JOIN last l ON l.academy_id = m.academy_id
    WHERE m.unexplained > 0 AND l.k - d.k >= $4 AND on_roll(m.pupil_key, l.date)
)
SELECT a.urn, p.pupil_id, p.upn, p.forename, p.surname,
       year_group_label(p.nc_year + academic_year($3::DATE) - p.year_group_year) AS year_group,
       sum(o.unexplained) AS sessions, min(o.date) AS oldest, max(o.age) AS oldest_age, min(o.age) AS newest_age
FROM open o
JOIN pupils p ON p.pupil_key = o.pupil_key
JOIN academies a ON a.academy_id = o.academy_id
WHERE $1 IS NULL OR a.urn = $1
GROUP BY ALL
ORDER BY a.urn, oldest_age DESC, p.pupil_id;
