-- Each academy's latest loaded extract: when it was taken and the last day it holds.
SELECT a.urn, a.name, max(l.extracted_at), max(l.marks_to)
FROM academies a
LEFT JOIN loads l ON l.urn = a.urn AND l.status = 'loaded'
GROUP BY a.urn, a.name
ORDER BY a.urn;
