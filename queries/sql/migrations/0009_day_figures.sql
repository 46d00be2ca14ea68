-- Figures built at load: what every report used to work out from the marks on each
-- request, kept per enrolment and school day by the loader in the load's own transaction
-- (loader::refresh_day_figures), so that a window's figures sum a row a pupil a day.
-- Day rows, not week rows: windows start and end inside weeks (a term that starts on a
-- Wednesday, last year's window aligned by school week and weekday, custom dates).

-- Each enrolment's possible sessions on each day it was on roll (inside a spell), by
-- category: `window_marks` (0006) summed per day, with the DfE scope of that day.
CREATE TABLE enrolment_days (
    academy_id   USMALLINT NOT NULL,
    pupil_key    UINTEGER NOT NULL,
    date         DATE NOT NULL,
    dfe_scope    BOOLEAN NOT NULL,   -- in_dfe_scope(date_of_birth, date)
    possible     UTINYINT NOT NULL,  -- 1 or 2
    attending    UTINYINT NOT NULL,
    authorised   UTINYINT NOT NULL,
    unauthorised UTINYINT NOT NULL,  -- G, N, O, U: what the penalty-notice rule counts
    unexplained  UTINYINT NOT NULL,  -- N
    missing      BOOLEAN NOT NULL,   -- every possible session G, N or O (CME runs)
    am_code      mark_code,          -- the AM session's code, NULL when not possible
    pm_code      mark_code
);

-- Each academy's days with any mark: how many, and whether it was a school day (a
-- possible session for anyone, on roll or not).
CREATE TABLE academy_days (
    academy_id USMALLINT NOT NULL,
    date       DATE NOT NULL,
    marks      UINTEGER NOT NULL,
    school_day BOOLEAN NOT NULL
);

-- What the two tables hold for the marks of one academy (`only_academy`, or NULL for
-- all): the loader deletes the rows it refreshes and inserts these, filtered the same
-- way (on the grouping columns, so the filter reaches the scan); the migration fills all.
CREATE MACRO enrolment_days_from_marks(only_academy) AS TABLE
    SELECT w.academy_id, w.pupil_key, w.date,
           in_dfe_scope(p.date_of_birth, w.date) AS dfe_scope,
           count(*)::UTINYINT AS possible,
           count(*) FILTER (WHERE w.attending)::UTINYINT AS attending,
           count(*) FILTER (WHERE w.authorised)::UTINYINT AS authorised,
           count(*) FILTER (WHERE w.unauthorised)::UTINYINT AS unauthorised,
           count(*) FILTER (WHERE w.code = 'N')::UTINYINT AS unexplained,
           bool_and(w.code IN ('G', 'N', 'O')) AS missing,
           any_value(w.code) FILTER (WHERE w.session = 0) AS am_code,
           any_value(w.code) FILTER (WHERE w.session = 1) AS pm_code
    FROM window_marks(DATE '0001-01-01', DATE '9999-12-31', false) w
    JOIN pupils p ON p.pupil_key = w.pupil_key
    WHERE only_academy IS NULL OR w.academy_id = only_academy
    GROUP BY w.academy_id, w.pupil_key, w.date, p.date_of_birth;

CREATE MACRO academy_days_from_marks(only_academy) AS TABLE
    SELECT m.academy_id, m.date, count(*)::UINTEGER AS marks, bool_or(c.possible) AS school_day
    FROM marks m
    JOIN codes c ON c.code = m.code
    WHERE only_academy IS NULL OR m.academy_id = only_academy
    GROUP BY m.academy_id, m.date;

INSERT INTO enrolment_days
SELECT * FROM enrolment_days_from_marks(NULL) ORDER BY academy_id, date, pupil_key;

INSERT INTO academy_days
SELECT * FROM academy_days_from_marks(NULL) ORDER BY academy_id, date;

-- window_marks from the day rows: every enrolment's day in the window, in scope.
CREATE MACRO window_days(from_date, to_date, dfe) AS TABLE
    SELECT * FROM enrolment_days
    WHERE date BETWEEN from_date AND to_date AND (NOT dfe OR dfe_scope);

-- academy_window_marks (0007) from the day rows: each academy's own window.
CREATE MACRO academy_window_days(spec, from_date, to_date, dfe) AS TABLE
    SELECT wd.*
    FROM window_days(from_date, to_date, dfe) wd
    SEMI JOIN academy_windows(spec) w
        ON w.academy_id = wd.academy_id AND wd.date BETWEEN w.from_date AND w.to_date;

-- Each academy's school days from $from_date to $to_date, numbered.
CREATE OR REPLACE MACRO school_days(from_date, to_date) AS TABLE
    SELECT academy_id, date, row_number() OVER (PARTITION BY academy_id ORDER BY date) AS k
    FROM academy_days
    WHERE school_day AND date BETWEEN from_date AND to_date;

-- The absent sessions in a window, one row a session with its code (the reasons).
CREATE MACRO window_absences(from_date, to_date, dfe) AS TABLE
    SELECT a.academy_id, a.pupil_key, a.date, a.code
    FROM (SELECT academy_id, pupil_key, date, am_code AS code
          FROM window_days(from_date, to_date, dfe) WHERE authorised + unauthorised > 0
          UNION ALL
          SELECT academy_id, pupil_key, date, pm_code AS code
          FROM window_days(from_date, to_date, dfe) WHERE authorised + unauthorised > 0) a
    JOIN codes c ON c.code = a.code
    WHERE c.authorised OR c.unauthorised;

-- weekly_absence (0008) from the day rows.
CREATE OR REPLACE MACRO weekly_absence(spec, from_date, to_date, dfe, only_urn) AS TABLE
    SELECT a.urn, date_trunc('week', w.date)::DATE AS week,
           sum(w.possible) AS possible,
           sum(w.authorised + w.unauthorised) AS absent
    FROM academy_window_days(spec, from_date, to_date, dfe) w
    JOIN academies a ON a.academy_id = w.academy_id
    WHERE only_urn IS NULL OR a.urn = only_urn
    GROUP BY GROUPING SETS ((a.urn, week), (week));
