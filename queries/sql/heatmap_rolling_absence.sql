-- Absence over the last four school weeks (weeks with a possible session at that
-- academy, or anywhere in the trust for the trust's row), at each school week in the
-- window; fewer at the window's start. Per academy and for the trust (urn NULL).
-- $1 from, $2 to, $3 DfE scope, $4 an academy's URN or NULL for every academy; $5 each academy's own window
-- (`academy_windows`, within $1..$2).
SELECT urn, week,
       sum(possible) OVER last_four AS possible,
       sum(absent) OVER last_four AS absent
FROM weekly_absence($5, $1, $2, $3, $4)
WINDOW last_four AS (PARTITION BY urn ORDER BY week ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)
ORDER BY urn NULLS FIRST, week;
