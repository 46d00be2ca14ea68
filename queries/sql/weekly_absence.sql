-- Absence week by week (weeks start on Monday) per academy and for the trust (urn NULL).
-- $1 from, $2 to, $3 DfE scope, $4 one academy's URN or NULL for every academy (with
-- one academy, its rollup row equals its own), $5 each academy's window
-- (`academy_windows`).
SELECT a.urn, date_trunc('week', w.date)::DATE AS week,
       count(*) AS possible,
       count(*) FILTER (WHERE w.authorised OR w.unauthorised) AS absent
FROM academy_window_marks($5, $1, $2, $3) w
JOIN academies a ON a.academy_id = w.academy_id
WHERE $4 IS NULL OR a.urn = $4
GROUP BY GROUPING SETS ((a.urn, week), (week))
ORDER BY a.urn NULLS FIRST, week;
