-- Runs of consecutive school days (days the academy had a possible session) on which
-- every one of an enrolment's possible sessions was absence that means the pupil was
-- not in school without permission (G, N, O; not U, where the pupil arrived late and
-- is in school), from $2 to $3, of $4 days or more, with the run's $4-th day (when the
-- local authority must be told). $1 an academy's URN or NULL.
WITH days AS (
    SELECT * FROM school_days($2, $3)
),
missing AS (
    SELECT academy_id, pupil_key, date FROM window_days($2, $3, false) WHERE missing
),
runs AS (
    SELECT m.academy_id, m.pupil_key, m.date,
           d.k - row_number() OVER (PARTITION BY m.academy_id, m.pupil_key ORDER BY d.k) AS run
    FROM missing m
    JOIN days d ON d.academy_id = m.academy_id AND d.date = m.date
)
SELECT a.urn, p.pupil_id, p.upn, p.forename, p.surname,
       year_group_label(p.nc_year + academic_year($3::DATE) - p.year_group_year) AS year_group,
       min(r.date) AS first_day, max(r.date) AS last_day, count(*) AS school_days,
       max(r.date) = (SELECT max(d.date) FROM days d WHERE d.academy_id = r.academy_id) AS ongoing,
       list_extract(list(r.date ORDER BY r.date), $4::BIGINT) AS notify_from
FROM runs r
JOIN pupils p ON p.pupil_key = r.pupil_key
JOIN academies a ON a.academy_id = r.academy_id
WHERE $1 IS NULL OR a.urn = $1
GROUP BY a.urn, p.pupil_id, p.upn, p.forename, p.surname, year_group, r.academy_id, r.pupil_key, r.run
HAVING count(*) >= $4
ORDER BY a.urn, last_day DESC, p.pupil_id;
