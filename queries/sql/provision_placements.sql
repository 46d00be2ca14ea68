-- Every alternative-provision placement (one academy's, or all with $1 NULL), with
-- its sessions from the start to its end or the academy's latest loaded day, and the
-- school days since the last welfare contact.
WITH placed AS (
    SELECT * FROM pupil_records('ap_placements', $1)
),
sessions AS (
    SELECT pl.n,
           count(*) FILTER (WHERE m.code IN ('B', 'K')) AS ap_sessions,
           count(*) FILTER (WHERE c.authorised OR c.unauthorised) AS absent_sessions,
           count(*) AS possible_sessions
    FROM placed pl
    JOIN marks m ON m.pupil_key = pl.pupil_key AND m.date BETWEEN pl.start_date AND pl.until
    JOIN codes c ON c.code = m.code AND c.possible
    GROUP BY pl.n
),
contact AS (
    SELECT pl.n, count(DISTINCT m.date) AS school_days
    FROM placed pl
    JOIN marks m ON m.pupil_key = pl.pupil_key
        AND m.date > coalesce(pl.last_contact_date, pl.start_date - 1)
        AND m.date <= pl.as_of
    JOIN codes c ON c.code = m.code AND c.possible
    GROUP BY pl.n
)
SELECT pl.urn, pl.pupil_id, pl.upn, pl.forename, pl.surname, pl.year_group, pl.academy_name,
       pl.provider, pl.provider_urn, pl.arranged_by, pl.start_date, pl.end_date,
       pl.sessions_per_week, pl.last_contact_date, pl.as_of,
       coalesce(s.ap_sessions, 0), coalesce(s.absent_sessions, 0),
       coalesce(s.possible_sessions, 0), coalesce(c.school_days, 0)
FROM placed pl
LEFT JOIN sessions s ON s.n = pl.n
LEFT JOIN contact c ON c.n = pl.n
ORDER BY pl.urn, pl.surname, pl.forename, pl.pupil_id, pl.start_date;
