-- Days on which registers were taken somewhere in the trust (a possible session).
SELECT DISTINCT m.date
FROM marks m JOIN codes c ON c.code = m.code
WHERE c.possible
ORDER BY m.date;
