-- Each academy's school days: days on which it took a register with a possible session.
SELECT DISTINCT a.urn, m.date
FROM marks m
JOIN codes c ON c.code = m.code
JOIN academies a ON a.academy_id = m.academy_id
WHERE c.possible
ORDER BY m.date, a.urn;
