-- Each enrolment's sessions this academic year to the academy's latest loaded day
-- ("now"), and before the latest school week ("a week ago"), in the current half term
-- and in the one before. $1 an academy's URN or NULL; $2 the academic year's first
-- day; $3 the latest day loaded; $4 the current half term's first day; $5 the previous
-- half term's first day.
WITH w AS (
    -- From the previous half term's start, which may be in the year before.
    SELECT *, date >= $2 AS this_year FROM window_marks(least($2::DATE, $5::DATE), $3, false)
),
days AS (
    SELECT academy_id, max(date) AS as_of,
           count(DISTINCT date) FILTER (WHERE this_year) AS school_days
    FROM w
    GROUP BY academy_id
),
per AS (
    SELECT w.academy_id, w.pupil_key, d.as_of, d.school_days,
           count(*) FILTER (WHERE w.this_year) AS possible,
           count(*) FILTER (WHERE w.this_year AND w.attending) AS attending,
           count(*) FILTER (WHERE w.this_year AND (w.authorised OR w.unauthorised)) AS absent,
           count(*) FILTER (WHERE w.this_year AND w.date < date_trunc('week', d.as_of)) AS possible_before,
           count(*) FILTER (WHERE w.this_year AND w.attending
                                  AND w.date < date_trunc('week', d.as_of)) AS attending_before,
           count(*) FILTER (WHERE w.this_year AND (w.authorised OR w.unauthorised)
                                  AND w.date < date_trunc('week', d.as_of)) AS absent_before,
           count(*) FILTER (WHERE w.date >= $4) AS possible_half,
           count(*) FILTER (WHERE w.attending AND w.date >= $4) AS attending_half,
           count(*) FILTER (WHERE w.date >= $5 AND w.date < $4) AS possible_prev,
           count(*) FILTER (WHERE w.attending AND w.date >= $5 AND w.date < $4) AS attending_prev
    FROM w
    JOIN days d ON d.academy_id = w.academy_id
    GROUP BY ALL
)
SELECT a.urn, p.pupil_id, p.upn, p.forename, p.surname,
       year_group_label(p.nc_year + academic_year(per.as_of) - p.year_group_year) AS year_group,
       per.as_of, per.school_days, per.possible, per.attending, per.absent,
       per.possible_before, per.attending_before, per.absent_before,
       per.possible_half, per.attending_half, per.possible_prev, per.attending_prev
FROM per
JOIN pupils p ON p.pupil_key = per.pupil_key
JOIN academies a ON a.academy_id = per.academy_id
WHERE $1 IS NULL OR a.urn = $1
ORDER BY a.urn, p.surname, p.forename, p.pupil_id;
