-- Each academy's own window (queries::calendar::Windows): academies keep their own
-- term dates, so "this half term" is a different span at each, and the trust's figures
-- are the sum of its academies' own windows.

-- The windows in a spec `URN:from:to;URN:from:to` (a bound parameter, never spliced):
-- one row per academy. `*` for the URN stands for every academy.
CREATE MACRO academy_windows(spec) AS TABLE
    SELECT a.academy_id, w.from_date, w.to_date
    FROM (SELECT split_part(x, ':', 1) AS urn,
                 CAST(split_part(x, ':', 2) AS DATE) AS from_date,
                 CAST(split_part(x, ':', 3) AS DATE) AS to_date
          FROM (SELECT unnest(string_split(spec, ';')) AS x)
          WHERE x <> '') w
    JOIN academies a ON w.urn = '*' OR a.urn = w.urn;

-- window_marks, each academy's marks inside its own window. `from_date`..`to_date` span
-- every window (they let the scan skip what no window touches). A semi join: a mark is
-- kept once, and DuckDB checks it against the few windows without building their product
-- (about half the time of an inner join on the demo trust).
CREATE MACRO academy_window_marks(spec, from_date, to_date, dfe) AS TABLE
    SELECT wm.*
    FROM window_marks(from_date, to_date, dfe) wm
    SEMI JOIN academy_windows(spec) w
        ON w.academy_id = wm.academy_id AND wm.date BETWEEN w.from_date AND w.to_date;
