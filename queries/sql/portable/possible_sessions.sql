-- Every possible session in the lake, once: the view both portable figure queries read
-- (each engine registers it under the name `possible_sessions`: DuckDB and Trino with
-- `CREATE VIEW possible_sessions AS <this text>`, Spark with
-- `spark.sql(<this text>).createOrReplaceTempView("possible_sessions")`; see
-- docs/scaling.md). No parameters: the queries filter it by day, by academic year (the
-- partition column, which the engines push down through the view) and by scope.
-- A mark counts inside one of its enrolment's spells; an enrolment is a pupil at an
-- academy (urn, pupil_ref). Age on 31 August at the start of the year: academic year -
-- year of birth - 1, the year of birth counted as an academic year too
-- (pupils.birth_academic_year). DfE's scope: aged 5 to 15, 15-year-olds' sessions from
-- the second half of the summer term removed.
SELECT urn,
       pupil_ref,
       day,
       academic_year,
       CASE WHEN attending THEN 1 ELSE 0 END AS attending,
       CASE WHEN authorised THEN 1 ELSE 0 END AS authorised,
       CASE WHEN unauthorised THEN 1 ELSE 0 END AS unauthorised,
       age BETWEEN 5 AND 15 AND NOT (age = 15 AND day >= summer_second_half_start)
           AS in_dfe_scope
FROM (
    SELECT m.urn,
           m.pupil_ref,
           m.date AS day,
           m.academic_year,
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
    WHERE c.possible
) aged
