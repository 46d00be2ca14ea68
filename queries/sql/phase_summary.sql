-- Overall absence, persistent absence (>= 10%) and severe absence (>= 50%) per phase and
-- academic year, all pupils on roll, per enrolment (DfE counts per enrolment), with
-- the trust as phase 'all'. Rates come from summed sessions, never averaged rates; the
-- PA and SA tests are exact integer comparisons (absent * 10 >= possible).
WITH per_enrolment AS (
    SELECT m.academy_id,
           m.pupil_key,
           CASE WHEN month(m.date) >= 9 THEN year(m.date) ELSE year(m.date) - 1 END AS academic_year,
           count(*) FILTER (WHERE c.possible) AS possible,
           count(*) FILTER (WHERE c.authorised OR c.unauthorised) AS absent
    FROM marks m
    JOIN codes c ON c.code = m.code
    JOIN spells s ON s.pupil_key = m.pupil_key
        AND m.date >= s.entry_date
        AND (s.leaving_date IS NULL OR m.date <= s.leaving_date)
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
