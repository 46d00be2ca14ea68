-- unmarked_sessions_from_marks (0010) for one academy's days from from_date to to_date,
-- the marks it looks for read for that academy and those days only. A filter on the
-- days does not reach the marks side of the anti join, which built its hash table from
-- every academy's marks of every year: 143 ms an extract at 15,000 pupils against 12 ms
-- (and growing with the warehouse, so a full load grew with the square of its size).
-- The loader refreshes with this; the tests hold it to unmarked_sessions_from_marks.
CREATE MACRO academy_unmarked_sessions(only_academy, from_date, to_date) AS TABLE
    SELECT d.academy_id, p.pupil_key, d.date, s.session
    FROM academy_days d
    CROSS JOIN (SELECT 0::UTINYINT AS session UNION ALL SELECT 1::UTINYINT) s
    JOIN pupils p ON p.academy_id = d.academy_id
    SEMI JOIN spells sp ON sp.pupil_key = p.pupil_key
        AND sp.entry_date <= d.date AND (sp.leaving_date IS NULL OR d.date <= sp.leaving_date)
    ANTI JOIN (SELECT pupil_key, date, session FROM marks
               WHERE academy_id = only_academy AND date BETWEEN from_date AND to_date) m
        ON m.pupil_key = p.pupil_key AND m.date = d.date AND m.session = s.session
    WHERE d.academy_id = only_academy AND d.date BETWEEN from_date AND to_date;
