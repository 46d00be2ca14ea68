-- One enrolment: who, and what the registers say about them. $1 the academy's URN, $2
-- the MIS pupil id; $3 a day of the academic year whose year group to give.
SELECT a.urn, p.pupil_id, p.upn, p.forename, p.surname,
       year_group_label(p.nc_year + academic_year($3::DATE) - p.year_group_year),
       a.name, p.date_of_birth, p.sex, p.entry_date, p.leaving_date, p.sen_provision,
       p.fsm, p.eal, p.ethnicity, p.looked_after, p.pupil_key
FROM pupils p
JOIN academies a ON a.academy_id = p.academy_id
WHERE a.urn = $1 AND p.pupil_id = $2;
