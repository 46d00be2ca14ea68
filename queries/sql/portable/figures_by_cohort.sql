-- Figures for every pupil characteristic per academy over a window: the same counts as
-- the warehouse's cohort comparison (../cohort_figures.sql, the academies' rows with no
-- filter), in plain SQL that DuckDB, Spark SQL and Trino all run over the lake's tables
-- (queries/src/lake.rs, docs/scaling.md).
-- Parameters, in order, as for figures_by_academy.sql:
--   ? first day, ? last day (dates, inclusive); ? first, ? last academic year the
--   window touches; ? DfE scope (boolean). PA and SA as there.
-- Year group and key stage are those of the academic year of each session: a window
-- across two years counts a pupil's sessions in each year group they were in. PA and SA
-- are judged per enrolment and group on the sessions in that group.
-- Reads the view `possible_sessions` (possible_sessions.sql: spells, ages and the scope).
WITH per_year AS (
    SELECT urn,
           pupil_ref,
           academic_year,
           COUNT(*) AS possible,
           SUM(attending) AS attending,
           SUM(authorised) AS authorised,
           SUM(unauthorised) AS unauthorised
    FROM possible_sessions
    WHERE day BETWEEN ? AND ?
      AND academic_year BETWEEN ? AND ?
      AND (NOT ? OR in_dfe_scope)
    GROUP BY urn, pupil_ref, academic_year
),
with_nc AS (
    SELECT y.*,
           p.sex,
           p.nc_year + y.academic_year - p.year_group_year AS nc,
           p.sen_provision,
           p.fsm,
           p.eal,
           p.ethnicity,
           p.looked_after
    FROM per_year y
    JOIN pupils p ON p.urn = y.urn AND p.pupil_ref = y.pupil_ref
),
labelled AS (
    SELECT urn, pupil_ref, possible, attending, authorised, unauthorised, sex, sen_provision,
           CASE nc WHEN -2 THEN 'N1' WHEN -1 THEN 'N2' WHEN 0 THEN 'R'
                   ELSE CAST(nc AS VARCHAR(4)) END AS year_group,
           CASE WHEN nc <= 0 THEN 'EY' WHEN nc <= 2 THEN 'KS1' WHEN nc <= 6 THEN 'KS2'
                WHEN nc <= 9 THEN 'KS3' WHEN nc <= 11 THEN 'KS4' ELSE 'KS5' END AS key_stage,
           CASE WHEN fsm THEN 'Y' WHEN NOT fsm THEN 'N' ELSE 'U' END AS fsm,
           CASE WHEN eal THEN 'Y' WHEN NOT eal THEN 'N' ELSE 'U' END AS eal,
           CASE WHEN looked_after THEN 'Y' WHEN NOT looked_after THEN 'N' ELSE 'U' END
               AS looked_after,
           CASE WHEN ethnicity IS NULL OR ethnicity IN ('REFU', 'NOBT') THEN 'Unclassified'
                WHEN ethnicity = 'CHNE' THEN 'Chinese'
                WHEN ethnicity LIKE 'W%' THEN 'White'
                WHEN ethnicity LIKE 'M%' THEN 'Mixed'
                WHEN ethnicity LIKE 'A%' THEN 'Asian'
                WHEN ethnicity LIKE 'B%' THEN 'Black'
                ELSE 'Any other ethnic group' END AS ethnicity
    FROM with_nc
),
per_group AS (
    SELECT 'all' AS dimension, urn, pupil_ref, 'All' AS grp, SUM(possible) AS possible,
           SUM(attending) AS attending, SUM(authorised) AS authorised,
           SUM(unauthorised) AS unauthorised
    FROM labelled GROUP BY urn, pupil_ref
    UNION ALL
    SELECT 'sex', urn, pupil_ref, sex, SUM(possible), SUM(attending), SUM(authorised),
           SUM(unauthorised)
    FROM labelled GROUP BY urn, pupil_ref, sex
    UNION ALL
    SELECT 'year_group', urn, pupil_ref, year_group, SUM(possible), SUM(attending),
           SUM(authorised), SUM(unauthorised)
    FROM labelled GROUP BY urn, pupil_ref, year_group
    UNION ALL
    SELECT 'key_stage', urn, pupil_ref, key_stage, SUM(possible), SUM(attending),
           SUM(authorised), SUM(unauthorised)
    FROM labelled GROUP BY urn, pupil_ref, key_stage
    UNION ALL
    SELECT 'sen_provision', urn, pupil_ref, sen_provision, SUM(possible), SUM(attending),
           SUM(authorised), SUM(unauthorised)
    FROM labelled GROUP BY urn, pupil_ref, sen_provision
    UNION ALL
    SELECT 'fsm', urn, pupil_ref, fsm, SUM(possible), SUM(attending), SUM(authorised),
           SUM(unauthorised)
    FROM labelled GROUP BY urn, pupil_ref, fsm
    UNION ALL
    SELECT 'eal', urn, pupil_ref, eal, SUM(possible), SUM(attending), SUM(authorised),
           SUM(unauthorised)
    FROM labelled GROUP BY urn, pupil_ref, eal
    UNION ALL
    SELECT 'ethnicity', urn, pupil_ref, ethnicity, SUM(possible), SUM(attending),
           SUM(authorised), SUM(unauthorised)
    FROM labelled GROUP BY urn, pupil_ref, ethnicity
    UNION ALL
    SELECT 'looked_after', urn, pupil_ref, looked_after, SUM(possible), SUM(attending),
           SUM(authorised), SUM(unauthorised)
    FROM labelled GROUP BY urn, pupil_ref, looked_after
)
SELECT dimension,
       urn,
       grp,
       COUNT(*) AS enrolments,
       SUM(possible) AS possible,
       SUM(attending) AS attending,
       SUM(authorised) AS authorised,
       SUM(unauthorised) AS unauthorised,
       SUM(CASE WHEN (authorised + unauthorised) * 10 >= possible THEN 1 ELSE 0 END) AS pa,
       SUM(CASE WHEN (authorised + unauthorised) * 2 >= possible THEN 1 ELSE 0 END) AS sa
FROM per_group
GROUP BY dimension, urn, grp
ORDER BY dimension, urn, grp
