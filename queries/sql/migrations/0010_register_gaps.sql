-- Registers not taken, kept at load like the day figures (0009): each enrolment on roll
-- (inside a spell) on a day its academy took any register, and each session of that day
-- it has no mark for. The data-quality page counts these per academy, day and session
-- instead of setting every pupil's expected sessions against the marks on each request.
CREATE TABLE unmarked_sessions (
    academy_id USMALLINT NOT NULL,
    pupil_key  UINTEGER NOT NULL,
    date       DATE NOT NULL,
    session    UTINYINT NOT NULL   -- 0 AM, 1 PM
);

-- What the table holds for one academy (`only_academy`, or NULL for all); the loader
-- deletes the rows it refreshes and inserts these, filtered the same way.
CREATE MACRO unmarked_sessions_from_marks(only_academy) AS TABLE
    SELECT d.academy_id, p.pupil_key, d.date, s.session
    FROM academy_days d
    CROSS JOIN (SELECT 0::UTINYINT AS session UNION ALL SELECT 1::UTINYINT) s
    JOIN pupils p ON p.academy_id = d.academy_id
    SEMI JOIN spells sp ON sp.pupil_key = p.pupil_key
        AND sp.entry_date <= d.date AND (sp.leaving_date IS NULL OR d.date <= sp.leaving_date)
    ANTI JOIN marks m ON m.pupil_key = p.pupil_key AND m.date = d.date AND m.session = s.session
    WHERE only_academy IS NULL OR d.academy_id = only_academy;

INSERT INTO unmarked_sessions
SELECT * FROM unmarked_sessions_from_marks(NULL) ORDER BY academy_id, date, session, pupil_key;
