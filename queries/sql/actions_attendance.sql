-- Each enrolment's sessions this academic year to the academy's latest loaded day
-- ("now"), and before the latest school week ("a week ago"), in the academy's current
-- half term and in the one before (its own term dates), and over the academy's last $5
-- school weeks (weeks with a possible session there this year). $1 an academy's URN or
-- NULL; $2 the academic year's first day; $3 the latest day loaded; $4 the earliest
-- first day of any academy's previous half term; $6 each academy's current half term
-- and $7 its previous one (`academy_windows` specs).
WITH w AS (
    -- From the previous half term's start, which may be in the year before.
    SELECT academy_id, pupil_key, date, possible, attending, authorised + unauthorised AS absent,
           date >= $2 AS this_year
    FROM window_days(least($2::DATE, $4::DATE), $3, false)
),
halves AS (
    SELECT h.academy_id, h.from_date AS half_from, p.from_date AS prev_from,
           p.to_date AS prev_to
    FROM academy_windows($6) h
    LEFT JOIN academy_windows($7) p ON p.academy_id = h.academy_id
),
days AS (
    SELECT academy_id, max(date) AS as_of,
           count(DISTINCT date) FILTER (WHERE this_year) AS school_days
    FROM w
    GROUP BY academy_id
),
weeks AS (
    SELECT academy_id, week,
           row_number() OVER (PARTITION BY academy_id ORDER BY week DESC) AS back
    FROM (SELECT DISTINCT academy_id, date_trunc('week', date) AS week FROM w WHERE this_year)
),
recent AS (
    SELECT academy_id, min(week) AS since FROM weeks WHERE back <= $5 GROUP BY academy_id
),
per AS (
    SELECT w.academy_id, w.pupil_key, w.as_of, w.school_days,
           -- sum(..) FILTER is NULL where no day matches: 0 sessions.
           coalesce(sum(w.possible) FILTER (WHERE w.this_year), 0) AS possible,
           coalesce(sum(w.attending) FILTER (WHERE w.this_year), 0) AS attending,
           coalesce(sum(w.absent) FILTER (WHERE w.this_year), 0) AS absent,
           coalesce(sum(w.possible) FILTER (WHERE w.this_year AND w.before_week), 0) AS possible_before,
           coalesce(sum(w.attending) FILTER (WHERE w.this_year AND w.before_week), 0) AS attending_before,
           coalesce(sum(w.absent) FILTER (WHERE w.this_year AND w.before_week), 0) AS absent_before,
           coalesce(sum(w.possible) FILTER (WHERE w.date >= hv.half_from), 0) AS possible_half,
           coalesce(sum(w.attending) FILTER (WHERE w.date >= hv.half_from), 0) AS attending_half,
           coalesce(sum(w.possible) FILTER (WHERE w.date BETWEEN hv.prev_from AND hv.prev_to), 0)
               AS possible_prev,
           coalesce(sum(w.attending) FILTER (WHERE w.date BETWEEN hv.prev_from AND hv.prev_to), 0)
               AS attending_prev,
           coalesce(sum(w.possible) FILTER (WHERE w.this_year AND w.date >= r.since), 0)
               AS possible_recent,
           coalesce(sum(w.absent) FILTER (WHERE w.this_year AND w.date >= r.since), 0)
               AS absent_recent
    FROM (SELECT w.*, w.date < date_trunc('week', d.as_of) AS before_week, d.as_of, d.school_days
          FROM w JOIN days d ON d.academy_id = w.academy_id) w
    LEFT JOIN recent r ON r.academy_id = w.academy_id
    LEFT JOIN halves hv ON hv.academy_id = w.academy_id
    GROUP BY ALL
)
SELECT a.urn, p.pupil_id, p.upn, p.forename, p.surname,
       year_group_label(p.nc_year + academic_year(per.as_of) - p.year_group_year) AS year_group,
       per.as_of, per.school_days, per.possible, per.attending, per.absent,
       per.possible_before, per.attending_before, per.absent_before,
       per.possible_half, per.attending_half, per.possible_prev, per.attending_prev,
       per.possible_recent, per.absent_recent
FROM per
JOIN pupils p ON p.pupil_key = per.pupil_key
JOIN academies a ON a.academy_id = per.academy_id
WHERE $1 IS NULL OR a.urn = $1
ORDER BY a.urn, p.surname, p.forename, p.pupil_id;
