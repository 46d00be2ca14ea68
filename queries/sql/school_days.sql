-- Each academy's school days: days on which it took a register with a possible session.
SELECT a.urn, d.date
FROM academy_days d
JOIN academies a ON a.academy_id = d.academy_id
WHERE d.school_day
ORDER BY d.date, a.urn;
