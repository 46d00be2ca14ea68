-- Every alternative-provision placement (one academy's, or all with $1 NULL), with
-- its possible sessions while on roll from the start to its end or the academy's latest
-- loaded day, and the school days (days with a possible session) since the last welfare
-- contact: sums of the day figures kept at load (`enrolment_days`, migration 0009).
WITH placed AS (
    SELECT * FROM pupil_records('ap_placements', $1)
),
sessions AS (
    SELECT pl.n,
           sum((d.am_code IN ('B', 'K'))::INTEGER + (d.pm_code IN ('B', 'K'))::INTEGER)
               AS ap_sessions,
           sum(d.authorised + d.unauthorised) AS absent_sessions,
           sum(d.possible) AS possible_sessions
    FROM placed pl
    JOIN enrolment_days d ON d.pupil_key = pl.pupil_key
        AND d.date BETWEEN pl.start_date AND pl.until
    GROUP BY pl.n
),
contact AS (
    SELECT pl.n, count(*) AS school_days
    FROM placed pl
    JOIN enrolment_days d ON d.pupil_key = pl.pupil_key
        AND d.date > coalesce(pl.last_contact_date, pl.start_date - 1)
        AND d.date <= pl.as_of
    GROUP BY pl.n
)
SELECT pl.urn, pl.pupil_id, pl.upn, pl.forename, pl.surname, pl.year_group, pl.academy_name,
       pl.provider, pl.provider_urn, pl.arranged_by, pl.start_date, pl.end_date,
       pl.sessions_per_week, pl.last_contact_date, pl.as_of,
       coalesce(s.ap_sessions, 0)::BIGINT, coalesce(s.absent_sessions, 0)::BIGINT,
       coalesce(s.possible_sessions, 0)::BIGINT, coalesce(c.school_days, 0)
FROM placed pl
LEFT JOIN sessions s ON s.n = pl.n
LEFT JOIN contact c ON c.n = pl.n
ORDER BY pl.urn, pl.surname, pl.forename, pl.pupil_id, pl.start_date;
