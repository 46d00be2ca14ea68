-- Figures per academy over a window: enrolments, possible sessions, attending,
-- authorised and unauthorised absence, persistently (PA) and severely (SA) absent
-- enrolments; everyone on roll, or DfE's comparable scope. The same counts as the
-- warehouse's own (../figures_by_academy.sql), in plain SQL that DuckDB, Spark SQL and
-- Trino all run over the lake's tables (queries/src/lake.rs, docs/scaling.md).
-- Parameters, in order:
--   ? first day, ? last day of the window (dates, inclusive);
--   ? first, ? last academic year the window touches (2025 for 2025/26): the filter
--     on the partition column that lets an engine read only those years;
--   ? DfE scope (boolean): pupils aged 5 to 15 on 31 August at the start of the year,
--     15-year-olds' sessions from the second half of the summer term removed.
-- Age on 31 August at the start of the year: academic year - year of birth - 1, the
-- year of birth counted as an academic year too (pupils.birth_academic_year).
-- A mark counts inside one of its enrolment's spells; an enrolment is a pupil at an
-- academy (urn, pupil_ref). PA: absent sessions >= 10% of possible, SA: >= 50%, as
-- exact integer comparisons (exactly 90.0% attendance is PA).
WITH aged AS (
    SELECT m.urn,
           m.pupil_ref,
           m.date AS day,
           c.attending,
           c.authorised,
           c.unauthorised,
           y.summer_second_half_start,
           m.academic_year - p.birth_academic_year - 1 AS age
    FROM marks m
    JOIN codes c ON c.code = m.code
    JOIN spells s ON s.urn = m.urn
        AND s.pupil_ref = m.pupil_ref
        AND m.date >= s.entry_date
        AND (s.leaving_date IS NULL OR m.date <= s.leaving_date)
    JOIN pupils p ON p.urn = m.urn AND p.pupil_ref = m.pupil_ref
    JOIN academic_years y ON y.academic_year = m.academic_year
    WHERE m.date BETWEEN ? AND ?
      AND m.academic_year BETWEEN ? AND ?
      AND c.possible
),
sessions AS (
    SELECT urn,
           pupil_ref,
           CASE WHEN attending THEN 1 ELSE 0 END AS attending,
           CASE WHEN authorised THEN 1 ELSE 0 END AS authorised,
           CASE WHEN unauthorised THEN 1 ELSE 0 END AS unauthorised
    FROM aged
    WHERE NOT ?
       OR (age BETWEEN 5 AND 15 AND NOT (age = 15 AND day >= summer_second_half_start))
),
enrolments AS (
    SELECT urn,
           pupil_ref,
           COUNT(*) AS possible,
           SUM(attending) AS attending,
           SUM(authorised) AS authorised,
           SUM(unauthorised) AS unauthorised
    FROM sessions
    GROUP BY urn, pupil_ref
)
SELECT a.urn,
       COUNT(e.pupil_ref) AS enrolments,
       COALESCE(SUM(e.possible), 0) AS possible,
       COALESCE(SUM(e.attending), 0) AS attending,
       COALESCE(SUM(e.authorised), 0) AS authorised,
       COALESCE(SUM(e.unauthorised), 0) AS unauthorised,
       SUM(CASE WHEN (e.authorised + e.unauthorised) * 10 >= e.possible THEN 1 ELSE 0 END) AS pa,
       SUM(CASE WHEN (e.authorised + e.unauthorised) * 2 >= e.possible THEN 1 ELSE 0 END) AS sa
FROM academies a
LEFT JOIN enrolments e ON e.urn = a.urn
GROUP BY a.urn
ORDER BY a.urn
