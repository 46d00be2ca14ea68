-- One academy's figures over a window: figures_by_academy.sql for one academy, reading
-- only its rows (the academy filter reaches the scan).
-- $1 from, $2 to (dates, inclusive), $3 DfE-comparable scope (boolean), $4 academy_id.
WITH enrolments AS (
    SELECT pupil_key,
           sum(possible) AS possible,
           sum(attending) AS attending,
           sum(authorised) AS authorised,
           sum(unauthorised) AS unauthorised
    FROM window_days($1, $2, $3)
    WHERE academy_id = $4
    GROUP BY pupil_key
)
SELECT count(*) AS enrolments,
       sum(possible),
       sum(attending),
       sum(authorised),
       sum(unauthorised),
       count(*) FILTER (WHERE (authorised + unauthorised) * 10 >= possible) AS pa,
       count(*) FILTER (WHERE (authorised + unauthorised) * 2 >= possible) AS sa
FROM enrolments
