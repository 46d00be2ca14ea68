-- Figures per academy and for the trust (urn NULL) over each academy's own window: the
-- trust's are the sum of its academies' own windows.
-- $1 from, $2 to (dates, inclusive: every window's span), $3 DfE-comparable scope
-- (boolean), $4 each academy's window (`academy_windows`; `*:from:to` for all alike).
-- Per enrolment: PA when absent sessions are >= 10% of possible, SA when >= 50%,
-- both as exact integer comparisons; rates come from summed sessions.
WITH enrolments AS (
    SELECT academy_id, pupil_key,
           sum(possible) AS possible,
           sum(attending) AS attending,
           sum(authorised) AS authorised,
           sum(unauthorised) AS unauthorised
    FROM academy_window_days($4, $1, $2, $3)
    GROUP BY academy_id, pupil_key
)
SELECT a.urn, a.name, a.phase, a.local_authority,
       count(e.pupil_key) AS enrolments,
       coalesce(sum(e.possible), 0) AS possible,
       coalesce(sum(e.attending), 0) AS attending,
       coalesce(sum(e.authorised), 0) AS authorised,
       coalesce(sum(e.unauthorised), 0) AS unauthorised,
       count(*) FILTER (WHERE (e.authorised + e.unauthorised) * 10 >= e.possible) AS pa,
       count(*) FILTER (WHERE (e.authorised + e.unauthorised) * 2 >= e.possible) AS sa
FROM academies a
LEFT JOIN enrolments e ON e.academy_id = a.academy_id
GROUP BY GROUPING SETS ((a.urn, a.name, a.phase, a.local_authority), ())
ORDER BY a.name NULLS FIRST;
