-- Sessions coded for a reduced timetable (C2) or alternative provision (B, K) on days
-- no record covers, per pupil and code, from $2 to $3; $1 one academy's URN or NULL.
-- Read from the day figures kept at load (`enrolment_days`: sessions while on roll).
WITH coded AS (
    SELECT academy_id, pupil_key, date, code::VARCHAR AS code
    FROM (SELECT academy_id, pupil_key, date, am_code AS code FROM enrolment_days
          WHERE date BETWEEN $2 AND $3 AND am_code IN ('C2', 'B', 'K')
          UNION ALL
          SELECT academy_id, pupil_key, date, pm_code AS code FROM enrolment_days
          WHERE date BETWEEN $2 AND $3 AND pm_code IN ('C2', 'B', 'K'))
),
unrecorded AS (
    SELECT c.* FROM coded c
    WHERE CASE WHEN c.code = 'C2' THEN NOT EXISTS (
              SELECT 1 FROM reduced_timetables rt
              WHERE rt.pupil_key = c.pupil_key
                AND c.date BETWEEN rt.start_date AND coalesce(rt.end_date, c.date))
          ELSE NOT EXISTS (
              SELECT 1 FROM ap_placements ap
              WHERE ap.pupil_key = c.pupil_key
                AND c.date BETWEEN ap.start_date AND coalesce(ap.end_date, c.date))
          END
)
SELECT a.urn, p.pupil_id, p.upn, p.forename, p.surname,
       year_group_label(p.nc_year + academic_year($3::DATE) - p.year_group_year) AS year_group,
       u.code, count(*), min(u.date), max(u.date)
FROM unrecorded u
JOIN academies a ON a.academy_id = u.academy_id
JOIN pupils p ON p.pupil_key = u.pupil_key
WHERE $1 IS NULL OR a.urn = $1
GROUP BY ALL
ORDER BY a.urn, p.surname, p.forename, p.pupil_id, u.code;
