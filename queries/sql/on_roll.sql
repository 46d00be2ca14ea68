-- Enrolments on roll (inside a spell) at each academy on its latest loaded day.
SELECT a.urn, count(*) AS on_roll
FROM pupils p
JOIN academies a ON a.academy_id = p.academy_id
JOIN (SELECT urn, max(marks_to) AS as_of FROM loads WHERE status = 'loaded' GROUP BY urn) l
    ON l.urn = a.urn
WHERE on_roll(p.pupil_key, l.as_of)
GROUP BY a.urn
ORDER BY a.urn;
