-- Figures per academy over a window, everyone on roll: the same figures as
-- ../figures_by_academy.sql (scope "all"), in plain SQL that DuckDB, Trino and Spark
-- SQL all run, over the tables `rollcall export parquet` writes (marks, pupils, codes;
-- urn and academic_year are partition columns). See docs/scaling.md.
-- Parameters: ? from, ? to (dates, inclusive).
-- Per enrolment: PA when absent sessions are >= 10% of possible, SA when >= 50%, as
-- exact integer comparisons.
WITH possible AS (
    SELECT m.urn,
           m.pupil_key,
           CASE WHEN c.attending THEN 1 ELSE 0 END AS attending,
           CASE WHEN c.authorised THEN 1 ELSE 0 END AS authorised,
           CASE WHEN c.unauthorised THEN 1 ELSE 0 END AS unauthorised
    FROM marks m
    JOIN codes c ON c.code = m.code
    JOIN pupils p ON p.pupil_key = m.pupil_key
    WHERE m.date BETWEEN ? AND ?
      AND c.possible
      AND m.date >= p.entry_date
      AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
),
enrolments AS (
    SELECT urn,
           pupil_key,
           COUNT(*) AS possible,
           SUM(attending) AS attending,
           SUM(authorised) AS authorised,
           SUM(unauthorised) AS unauthorised
    FROM possible
    GROUP BY urn, pupil_key
)
SELECT urn,
       COUNT(*) AS enrolments,
       SUM(possible) AS possible,
       SUM(attending) AS attending,
       SUM(authorised) AS authorised,
       SUM(unauthorised) AS unauthorised,
       SUM(CASE WHEN (authorised + unauthorised) * 10 >= possible THEN 1 ELSE 0 END) AS pa,
       SUM(CASE WHEN (authorised + unauthorised) * 2 >= possible THEN 1 ELSE 0 END) AS sa
FROM enrolments
GROUP BY urn
ORDER BY urn
