-- Figures for every pupil characteristic at once, per academy and for the trust
-- (urn NULL), over a window, for the pupils a filter keeps.
-- $1 from, $2 to, $3 DfE scope, $4 an academy's URN or NULL for every academy;
-- filters, each a group label or NULL for any: $5 sex, $6 year_group, $7 key_stage,
-- $8 sen_provision, $9 fsm, $10 eal, $11 ethnicity, $12 looked_after; $13 each
-- academy's own window (`academy_windows`; $1..$2 span them).
-- Year group and key stage are those of the academic year of each session, so a window
-- across two years counts a pupil's sessions in each year group they were in. The
-- dimension 'all' has the one group 'All': everyone the filter keeps.
WITH per_year AS (
    SELECT w.academy_id, w.pupil_key, academic_year(w.date) AS ay,
           sum(w.possible) AS possible,
           sum(w.attending) AS attending,
           sum(w.authorised) AS authorised,
           sum(w.unauthorised) AS unauthorised
    FROM academy_window_days($13, $1, $2, $3) w
    GROUP BY ALL
),
labelled AS (
    SELECT a.urn, y.pupil_key, y.possible, y.attending, y.authorised, y.unauthorised,
           'All' AS "all",
           p.sex,
           year_group_label(p.nc_year + y.ay - p.year_group_year) AS year_group,
           key_stage_label(p.nc_year + y.ay - p.year_group_year) AS key_stage,
           p.sen_provision,
           yes_no(p.fsm) AS fsm,
           yes_no(p.eal) AS eal,
           ethnic_major(p.ethnicity) AS ethnicity,
           yes_no(p.looked_after) AS looked_after
    FROM per_year y
    JOIN pupils p ON p.pupil_key = y.pupil_key
    JOIN academies a ON a.academy_id = y.academy_id
    WHERE ($4 IS NULL OR a.urn = $4)
),
kept AS (
    SELECT * FROM labelled
    WHERE ($5 IS NULL OR sex = $5)
      AND ($6 IS NULL OR year_group = $6)
      AND ($7 IS NULL OR key_stage = $7)
      AND ($8 IS NULL OR sen_provision = $8)
      AND ($9 IS NULL OR fsm = $9)
      AND ($10 IS NULL OR eal = $10)
      AND ($11 IS NULL OR ethnicity = $11)
      AND ($12 IS NULL OR looked_after = $12)
),
per_group AS (
    -- One row per enrolment and group: PA and SA are judged on these sessions.
    SELECT urn, pupil_key, dimension, grp,
           sum(possible) AS possible, sum(attending) AS attending,
           sum(authorised) AS authorised, sum(unauthorised) AS unauthorised
    FROM (UNPIVOT kept
          ON "all", sex, year_group, key_stage, sen_provision, fsm, eal, ethnicity, looked_after
          INTO NAME dimension VALUE grp)
    GROUP BY ALL
)
SELECT dimension, urn, grp, count(*) AS enrolments,
       sum(possible), sum(attending), sum(authorised), sum(unauthorised),
       count(*) FILTER (WHERE (authorised + unauthorised) * 10 >= possible) AS pa,
       count(*) FILTER (WHERE (authorised + unauthorised) * 2 >= possible) AS sa
FROM per_group
GROUP BY GROUPING SETS ((dimension, urn, grp), (dimension, grp))
ORDER BY dimension, urn NULLS FIRST, grp;
