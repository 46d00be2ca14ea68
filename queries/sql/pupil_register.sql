-- An enrolment's marks from $2 to $3, with how each counts. $1 the pupil key.
SELECT m.date, m.session, m.code::VARCHAR, c.possible, c.attending,
       c.authorised OR c.unauthorised AS absent, c.meaning
FROM marks m
JOIN codes c ON c.code = m.code
WHERE m.pupil_key = $1 AND m.date BETWEEN $2 AND $3
  AND on_roll(m.pupil_key, m.date)
ORDER BY m.date, m.session;
