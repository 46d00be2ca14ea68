-- Each enrolment's illness absence (code I) from $2 to $3 (the academic year so far), of
-- $4 sessions or more, with the day its $4-th illness session fell on: the day the
-- local authority's section 19 duty came into view. $1 an academy's URN or NULL.
WITH ill AS (
    SELECT academy_id, pupil_key, date,
           (coalesce(am_code = 'I', false)::INTEGER
            + coalesce(pm_code = 'I', false)::INTEGER) AS sessions
    FROM enrolment_days
    WHERE date BETWEEN $2 AND $3 AND (am_code = 'I' OR pm_code = 'I')
),
running AS (
    SELECT *, sum(sessions) OVER (PARTITION BY academy_id, pupil_key ORDER BY date
                                  ROWS UNBOUNDED PRECEDING) AS so_far
    FROM ill
)
SELECT a.urn, p.pupil_id, p.upn, p.forename, p.surname,
       year_group_label(p.nc_year + academic_year($3::DATE) - p.year_group_year) AS year_group,
       min(r.date) AS first_day,
       min(r.date) FILTER (WHERE r.so_far >= $4) AS due_since,
       sum(r.sessions)::BIGINT AS sessions
FROM running r
JOIN pupils p ON p.pupil_key = r.pupil_key
JOIN academies a ON a.academy_id = r.academy_id
WHERE $1 IS NULL OR a.urn = $1
GROUP BY a.urn, p.pupil_id, p.upn, p.forename, p.surname, year_group, r.academy_id, r.pupil_key
HAVING sum(r.sessions) >= $4
ORDER BY a.urn, due_since, p.pupil_id;
