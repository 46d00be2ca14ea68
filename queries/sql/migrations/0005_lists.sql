-- Building blocks the pupil-level lists share.

-- Each academy's school days (days with a possible session) from from_date to to_date,
-- numbered from 1 (k), so that "consecutive school days" is consecutive k.
CREATE MACRO school_days(from_date, to_date) AS TABLE
    SELECT academy_id, date, row_number() OVER (PARTITION BY academy_id ORDER BY date) AS k
    FROM (SELECT DISTINCT m.academy_id, m.date
          FROM marks m
          JOIN codes c ON c.code = m.code
          WHERE c.possible AND m.date BETWEEN from_date AND to_date);

-- Each academy's latest loaded day: what "now" means for it.
CREATE MACRO academy_as_of() AS TABLE
    SELECT a.academy_id, max(l.marks_to) AS as_of
    FROM loads l
    JOIN academies a ON a.urn = l.urn
    WHERE l.status = 'loaded'
    GROUP BY a.academy_id;
