-- Overall absence, persistent absence (>= 10%) and severe absence (>= 50%) per phase and
-- academic year, all pupils on roll, per enrolment (DfE counts per enrolment), with
-- the trust as phase 'all'. Rates come from summed sessions, never averaged rates; the
-- PA and SA tests are exact integer comparisons (absent * 10 >= possible).
WITH per_enrolment AS (
    SELECT academy_id, pupil_key, academic_year(date) AS academic_year,
           sum(possible) AS possible,
           sum(authorised + unauthorised) AS absent
    FROM enrolment_days
    GROUP BY ALL
)
SELECT academic_year,
       coalesce(a.phase, 'all') AS phase,
       count(*) AS enrolments,
       100.0 * sum(absent) / sum(possible) AS absence_rate,
       100.0 * count(*) FILTER (WHERE absent * 10 >= possible) / count(*) AS pa_rate,
       100.0 * count(*) FILTER (WHERE absent * 2 >= possible) / count(*) AS sa_rate
FROM per_enrolment e
JOIN academies a USING (academy_id)
WHERE possible > 0
GROUP BY GROUPING SETS ((academic_year, a.phase), (academic_year))
ORDER BY academic_year, phase;
