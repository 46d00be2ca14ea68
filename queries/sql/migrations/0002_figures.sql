-- The rules behind every figure (../shared/domain.md), as macros so that each query
-- applies them the same way.

-- The academic year (its first calendar year) a date falls in.
CREATE MACRO academic_year(d) AS year(d) - CASE WHEN month(d) < 9 THEN 1 ELSE 0 END;

-- Age on 31 August at the start of the academic year that holds d.
CREATE MACRO age_at_year_start(dob, d) AS
    academic_year(d) - year(dob) - CASE WHEN month(dob) >= 9 THEN 1 ELSE 0 END;

-- The first day of the second half of the summer term in calendar year y: the Monday
-- after the spring bank holiday week (the last Monday of May).
CREATE MACRO summer_second_half_start(y) AS
    make_date(y, 5, 31) - CAST((dayofweek(make_date(y, 5, 31)) + 6) % 7 AS INTEGER) + 7;

-- DfE's national scope: pupils aged 5 to 15 on 31 August at the start of the year,
-- with 15-year-olds' sessions in the second half of the summer term removed.
CREATE MACRO in_dfe_scope(dob, d) AS
    age_at_year_start(dob, d) BETWEEN 5 AND 15
    AND NOT (age_at_year_start(dob, d) = 15
             AND month(d) BETWEEN 5 AND 8
             AND d >= summer_second_half_start(year(d)));

-- N1, N2, R, 1..13 from an NC year number.
CREATE MACRO year_group_label(n) AS
    CASE n WHEN -2 THEN 'N1' WHEN -1 THEN 'N2' WHEN 0 THEN 'R' ELSE CAST(n AS VARCHAR) END;

-- Every possible session in a window: on roll (admission to leaving date), in scope.
CREATE MACRO window_marks(from_date, to_date, dfe) AS TABLE
    SELECT m.academy_id, m.pupil_key, m.date, m.session, m.code,
           c.attending, c.authorised, c.unauthorised
    FROM marks m
    JOIN codes c ON c.code = m.code
    JOIN pupils p ON p.pupil_key = m.pupil_key
    WHERE m.date BETWEEN from_date AND to_date
      AND c.possible
      AND m.date >= p.entry_date
      AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
      AND (NOT dfe OR in_dfe_scope(p.date_of_birth, m.date));
