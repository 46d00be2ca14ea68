-- Whether the academy $1 (URN) has, or had, the pupil $2 (MIS pupil id) on roll.
SELECT count(*) > 0
FROM pupils p
JOIN academies a ON a.academy_id = p.academy_id
WHERE a.urn = $1 AND p.pupil_id = $2;
