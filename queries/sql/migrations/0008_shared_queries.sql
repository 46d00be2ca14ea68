-- Parts two or more queries share, as table macros (DuckDB inlines them where they are
-- used, so each query keeps its plan).

-- Absence week by week (weeks start on Monday) per academy and for the trust (urn
-- NULL): `possible` sessions, `absent` of them. Each academy's own window (`spec`, see
-- academy_windows; `from_date`..`to_date` spans them all); one academy's URN or NULL
-- for every academy as `only_urn`.
CREATE MACRO weekly_absence(spec, from_date, to_date, dfe, only_urn) AS TABLE
    SELECT a.urn, date_trunc('week', w.date)::DATE AS week,
           count(*) AS possible,
           count(*) FILTER (WHERE w.authorised OR w.unauthorised) AS absent
    FROM academy_window_marks(spec, from_date, to_date, dfe) w
    JOIN academies a ON a.academy_id = w.academy_id
    WHERE only_urn IS NULL OR a.urn = only_urn
    GROUP BY GROUPING SETS ((a.urn, week), (week));

-- The rows of a per-pupil record table (`tbl`: 'ap_placements', 'reduced_timetables')
-- at one academy (`only_urn`, or NULL for every academy), numbered (`n`), with the
-- academy, the pupil as pupil-level lists show them, the academy's latest loaded day
-- (`as_of`) and the record's last day so far (`until`: its end, or `as_of`).
CREATE MACRO pupil_records(tbl, only_urn) AS TABLE
    SELECT row_number() OVER () AS n, r.*, a.urn, a.name AS academy_name,
           p.pupil_id, p.upn, p.forename, p.surname,
           year_group_label(p.nc_year + academic_year(o.as_of) - p.year_group_year) AS year_group,
           o.as_of, least(coalesce(r.end_date, o.as_of), o.as_of) AS until
    FROM query_table(tbl) r
    JOIN academies a ON a.academy_id = r.academy_id
    JOIN pupils p ON p.pupil_key = r.pupil_key
    JOIN academy_as_of() o ON o.academy_id = r.academy_id
    WHERE only_urn IS NULL OR a.urn = only_urn;
