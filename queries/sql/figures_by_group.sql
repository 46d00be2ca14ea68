-- Figures per value of one pupil characteristic over a window, for the trust or one
-- academy. $1 from, $2 to, $3 DfE scope, $4 the characteristic (sex, year_group,
-- sen_provision, fsm, eal, ethnicity), $5 an academy's URN or NULL for the trust.
-- A pupil's year group is the one for the academic year of each session.
WITH per_enrolment AS (
    SELECT w.academy_id, w.pupil_key,
           CASE $4
               WHEN 'sex' THEN p.sex
               WHEN 'year_group' THEN year_group_label(p.nc_year + academic_year(w.date) - p.year_group_year)
               WHEN 'sen_provision' THEN p.sen_provision
               WHEN 'fsm' THEN CASE WHEN p.fsm THEN 'Y' ELSE 'N' END
               WHEN 'eal' THEN CASE WHEN p.eal THEN 'Y' ELSE 'N' END
               WHEN 'ethnicity' THEN CASE
                   WHEN p.ethnicity IS NULL OR p.ethnicity IN ('REFU', 'NOBT') THEN 'Unclassified'
                   WHEN p.ethnicity = 'CHNE' THEN 'Chinese'
                   WHEN p.ethnicity LIKE 'W%' THEN 'White'
                   WHEN p.ethnicity LIKE 'M%' THEN 'Mixed'
                   WHEN p.ethnicity LIKE 'A%' THEN 'Asian'
                   WHEN p.ethnicity LIKE 'B%' THEN 'Black'
                   ELSE 'Any other ethnic group' END
           END AS grp,
           count(*) AS possible,
           count(*) FILTER (WHERE w.attending) AS attending,
           count(*) FILTER (WHERE w.authorised) AS authorised,
           count(*) FILTER (WHERE w.unauthorised) AS unauthorised
    FROM window_marks($1, $2, $3) w
    JOIN pupils p ON p.pupil_key = w.pupil_key
    JOIN academies a ON a.academy_id = w.academy_id
    WHERE $5 IS NULL OR a.urn = $5
    GROUP BY ALL
)
SELECT grp, count(*) AS enrolments, sum(possible), sum(attending), sum(authorised), sum(unauthorised),
       count(*) FILTER (WHERE (authorised + unauthorised) * 10 >= possible) AS pa,
       count(*) FILTER (WHERE (authorised + unauthorised) * 2 >= possible) AS sa
FROM per_enrolment
GROUP BY grp
ORDER BY grp;
