-- Every reduced timetable in force at some point from $2 to the academy's latest loaded
-- day (one academy's, or all with $1 NULL), with what the MIS says of telling the local
-- authority, and its last day so far.
SELECT urn, pupil_id, upn, forename, surname, year_group,
       start_date, planned_end_date, end_date, la_notified, until
FROM pupil_records('reduced_timetables', $1)
WHERE until >= $2 AND start_date <= as_of
ORDER BY urn, start_date, pupil_id;
