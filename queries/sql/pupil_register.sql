-- An enrolment's marks from $2 to $3, with how each counts. $1 the pupil key.
SELECT m.date, m.session, m.code::VARCHAR, c.possible, c.attending,
       c.authorised OR c.unauthorised AS absent, c.meaning
FROM marks m
JOIN codes c ON c.code = m.code
JOIN pupils p ON p.pupil_key = m.pupil_key
WHERE m.pupil_key = $1 AND m.date BETWEEN $2 AND $3
  AND m.date >= p.entry_date AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
ORDER BY m.date, m.session;
