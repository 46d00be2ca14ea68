-- Absence week by week (weeks start on Monday) per academy and for the trust (urn NULL).
-- $1 from, $2 to, $3 DfE scope, $4 one academy's URN or NULL for every academy (with
-- one academy, its rollup row equals its own), $5 each academy's window
-- (`academy_windows`).
SELECT urn, week, possible, absent
FROM weekly_absence($5, $1, $2, $3, $4)
ORDER BY urn NULLS FIRST, week;
