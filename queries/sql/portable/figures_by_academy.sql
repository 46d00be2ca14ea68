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
-- Reads the view `possible_sessions` (possible_sessions.sql: spells, ages and the scope).
-- An enrolment is a pupil at an academy (urn, pupil_ref). PA: absent sessions >= 10% of
-- possible, SA: >= 50%, as exact integer comparisons (exactly 90.0% attendance is PA).
WITH sessions AS (
    SELECT urn, pupil_ref, attending, authorised, unauthorised
    FROM possible_sessions
    WHERE day BETWEEN ? AND ?
      AND academic_year BETWEEN ? AND ?
      AND (NOT ? OR in_dfe_scope)
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
