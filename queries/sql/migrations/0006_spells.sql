-- Enrolment spells and held-over data (extract-format.md).

-- A pupil at an academy (one `pupils` row, one enrolment as DfE counts it) may have
-- several spells on roll: left, then re-admitted. Spells of one pupil never overlap;
-- a pupil's marks count only within a spell. `pupils.entry_date`/`leaving_date` are
-- the newest spell's.
CREATE TABLE spells (
    pupil_key    UINTEGER NOT NULL,
    entry_date   DATE NOT NULL,
    leaving_date DATE
);
INSERT INTO spells SELECT pupil_key, entry_date, leaving_date FROM pupils;

-- On roll at academy on date d: inside one of the enrolment's spells.
CREATE MACRO on_roll(k, d) AS EXISTS (
    SELECT 1 FROM spells s
    WHERE s.pupil_key = k AND s.entry_date <= d
      AND (s.leaving_date IS NULL OR d <= s.leaving_date));

-- Every possible session in a window: on roll (inside a spell), in scope.
CREATE OR REPLACE MACRO window_marks(from_date, to_date, dfe) AS TABLE
    SELECT m.academy_id, m.pupil_key, m.date, m.session, m.code,
           c.attending, c.authorised, c.unauthorised
    FROM marks m
    JOIN codes c ON c.code = m.code
    JOIN pupils p ON p.pupil_key = m.pupil_key
    JOIN spells s ON s.pupil_key = m.pupil_key
        AND m.date >= s.entry_date
        AND (s.leaving_date IS NULL OR m.date <= s.leaving_date)
    WHERE m.date BETWEEN from_date AND to_date
      AND c.possible
      AND (NOT dfe OR in_dfe_scope(p.date_of_birth, m.date));

-- What a rejected row kept: the previous record and marks of a pupil whose pupils.csv
-- row was rejected (`session` NULL, `date_from`..`date_to` the extract's window), or
-- the previous mark for one session (`session` 0 AM / 1 PM, one date). A row stays
-- until a later extract sends a good row for it (or restates its date).
CREATE TABLE held_over (
    academy_id  USMALLINT NOT NULL,
    pupil_id    VARCHAR NOT NULL,
    date_from   DATE NOT NULL,
    date_to     DATE NOT NULL,
    session     UTINYINT,
    marks_kept  UBIGINT NOT NULL,
    load_id     UBIGINT NOT NULL,
    file        VARCHAR NOT NULL,
    line        UBIGINT NOT NULL,
    column_name VARCHAR NOT NULL,
    value       VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL
);

-- Marks kept for rejected rows by each load (0 when none).
ALTER TABLE loads ADD COLUMN marks_held UBIGINT DEFAULT 0;
