-- Registers not taken: on each day an academy took any register from $1 to $2, both
-- sessions, the enrolments on roll that day with no mark for that session.
WITH days AS (
    SELECT DISTINCT academy_id, date FROM marks WHERE date BETWEEN $1 AND $2
),
expected AS (
    SELECT d.academy_id, d.date, s.session, p.pupil_key
    FROM days d
    CROSS JOIN (SELECT 0::UTINYINT AS session UNION ALL SELECT 1::UTINYINT) s
    JOIN pupils p ON p.academy_id = d.academy_id
    JOIN spells sp ON sp.pupil_key = p.pupil_key
        AND sp.entry_date <= d.date AND (sp.leaving_date IS NULL OR d.date <= sp.leaving_date)
),
missing AS (
    SELECT e.academy_id, e.date, e.session, count(*) AS pupils
    FROM expected e
    ANTI JOIN marks m ON m.pupil_key = e.pupil_key AND m.date = e.date AND m.session = e.session
    GROUP BY ALL
)
SELECT a.urn, m.date, m.session, m.pupils
FROM missing m
JOIN academies a ON a.academy_id = m.academy_id
ORDER BY a.urn, m.date DESC, m.session;
