-- Registers not taken: on each day an academy took any register from $1 to $2, both
-- sessions, how many enrolments on roll that day have no mark for that session (kept at
-- load in `unmarked_sessions`, migration 0010).
SELECT a.urn, u.date, u.session, count(*) AS pupils
FROM unmarked_sessions u
JOIN academies a ON a.academy_id = u.academy_id
WHERE u.date BETWEEN $1 AND $2
GROUP BY a.urn, u.date, u.session
ORDER BY a.urn, u.date DESC, u.session;
