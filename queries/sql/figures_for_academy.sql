-- One academy's figures over a window: figures_by_academy.sql for one academy, reading
-- only its marks (the academy filter reaches the scan).
-- $1 from, $2 to (dates, inclusive), $3 DfE-comparable scope (boolean), $4 academy_id.
WITH enrolments AS (
    SELECT pupil_key,
           count(*) AS possible,
           count(*) FILTER (WHERE attending) AS attending,
           count(*) FILTER (WHERE authorised) AS authorised,
           count(*) FILTER (WHERE unauthorised) AS unauthorised
    FROM window_marks($1, $2, $3)
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
