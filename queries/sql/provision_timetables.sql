-- Every reduced timetable (one academy's, or all with $1 NULL), with its C2 sessions
-- while on roll from the start to its end or the academy's latest loaded day (from the
-- day figures kept at load, `enrolment_days`).
WITH timetabled AS (
    SELECT * FROM pupil_records('reduced_timetables', $1)
),
c2 AS (
    SELECT t.n, sum((d.am_code = 'C2')::INTEGER + (d.pm_code = 'C2')::INTEGER) AS sessions
    FROM timetabled t
    JOIN enrolment_days d ON d.pupil_key = t.pupil_key
        AND d.date BETWEEN t.start_date AND t.until
    GROUP BY t.n
)
SELECT t.urn, t.pupil_id, t.upn, t.forename, t.surname, t.year_group, t.academy_name,
       t.start_date, t.planned_end_date, t.next_review_date, t.end_date,
       t.sessions_per_week, t.reason, t.parents_agreed, t.la_notified, t.as_of,
       coalesce(c2.sessions, 0)::BIGINT
FROM timetabled t
LEFT JOIN c2 ON c2.n = t.n
ORDER BY t.urn, t.surname, t.forename, t.pupil_id, t.start_date;
