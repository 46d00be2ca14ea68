-- Marks for `rollcall export parquet`: the code as text, with the academy's URN and the
-- academic year to partition by; signed integer types only (Spark and Trino read
-- Parquet's unsigned types badly or not at all).
SELECT a.urn,
       academic_year(m.date) AS academic_year,
       CAST(m.pupil_key AS BIGINT) AS pupil_key,
       m.date,
       CAST(m.session AS INTEGER) AS session,
       CAST(m.code AS VARCHAR) AS code,
       CAST(m.minutes_late AS INTEGER) AS minutes_late
FROM marks m
JOIN academies a USING (academy_id)
