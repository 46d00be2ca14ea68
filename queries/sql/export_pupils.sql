-- Enrolments for `rollcall export parquet`: what the figures need, with the URN to
-- partition by. Names, UPNs and MIS ids only when asked for (the {identifiers} slot is
-- filled by the program with a fixed column list or nothing, never with input).
SELECT a.urn,
       CAST(p.pupil_key AS BIGINT) AS pupil_key,
       {identifiers}
       p.date_of_birth,
       p.sex,
       CAST(p.nc_year AS INTEGER) AS nc_year,
       CAST(p.year_group_year AS INTEGER) AS year_group_year,
       p.entry_date,
       p.leaving_date,
       p.sen_provision,
       p.fsm,
       p.eal,
       p.ethnicity,
       p.looked_after
FROM pupils p
JOIN academies a USING (academy_id)
