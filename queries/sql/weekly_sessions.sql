-- Every pupil's possible and attended sessions by week (its Monday) from $2 to $3, at
-- one academy ($1 its URN) or all ($1 NULL), a pupil's spells at an academy together.
SELECT a.urn, p.pupil_id, date_trunc('week', d.date)::DATE AS week,
       sum(d.possible)::BIGINT AS possible, sum(d.attending)::BIGINT AS attending
FROM enrolment_days d
JOIN pupils p ON p.pupil_key = d.pupil_key
JOIN academies a ON a.academy_id = d.academy_id
WHERE d.date BETWEEN $2 AND $3 AND ($1 IS NULL OR a.urn = $1)
GROUP BY a.urn, p.pupil_id, week
ORDER BY a.urn, p.pupil_id, week;
