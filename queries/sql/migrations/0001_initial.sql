-- Rollcall warehouse, version 1.
-- Marks are the big table (about 57 million rows for 50,000 pupils x 3 years): small
-- integer keys and a one-byte enum for the code, no index (the loader keeps them unique
-- per pupil, date and session; DuckDB's zone maps do the rest).

CREATE TYPE mark_code AS ENUM (
    '/', '\', 'L', 'K', 'V', 'P', 'W', 'B',
    'C1', 'C2', 'C', 'M', 'J1', 'S', 'T', 'R', 'I', 'E',
    'G', 'N', 'O', 'U',
    'D', 'X', 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7',
    'Z', '#',
    'H', 'F', 'J', 'Y'
);

-- How each code counts; filled by the program from queries/src/codes.rs.
CREATE TABLE codes (
    code         mark_code PRIMARY KEY,
    category     VARCHAR NOT NULL,  -- present, approved, authorised, unauthorised, not_counted, administrative
    possible     BOOLEAN NOT NULL,
    attending    BOOLEAN NOT NULL,  -- present or approved educational activity
    authorised   BOOLEAN NOT NULL,
    unauthorised BOOLEAN NOT NULL,
    legacy       BOOLEAN NOT NULL,  -- valid only before 2024-08-19
    meaning      VARCHAR NOT NULL
);

CREATE TABLE academies (
    academy_id      USMALLINT PRIMARY KEY,
    urn             VARCHAR NOT NULL UNIQUE,
    name            VARCHAR NOT NULL,
    phase           VARCHAR NOT NULL,  -- primary, secondary, all-through, special, alternative-provision
    local_authority VARCHAR NOT NULL,
    source_system   VARCHAR,
    updated_at      TIMESTAMP NOT NULL
);

-- One row per enrolment: a pupil at an academy (DfE counts per enrolment).
CREATE SEQUENCE pupil_key_seq START 1;
CREATE TABLE pupils (
    pupil_key     UINTEGER PRIMARY KEY,
    academy_id    USMALLINT NOT NULL,
    pupil_id      VARCHAR NOT NULL,
    upn           VARCHAR,
    surname       VARCHAR,
    forename      VARCHAR,
    date_of_birth DATE NOT NULL,
    sex           VARCHAR NOT NULL,
    -- NC year as a number (N1 = -2, N2 = -1, R = 0, 1..13) in the academic year that
    -- starts in year_group_year; in academic year Y it is nc_year + (Y - year_group_year).
    nc_year         TINYINT NOT NULL,
    year_group_year SMALLINT NOT NULL,
    entry_date    DATE NOT NULL,
    leaving_date  DATE,
    sen_provision VARCHAR NOT NULL,  -- N, K, E
    fsm           BOOLEAN NOT NULL,
    eal           BOOLEAN NOT NULL,
    ethnicity     VARCHAR,
    looked_after  BOOLEAN,
    attributes_at TIMESTAMP NOT NULL,  -- extracted_at of the extract the attributes came from
    UNIQUE (academy_id, pupil_id)
);

CREATE TABLE marks (
    academy_id   USMALLINT NOT NULL,
    pupil_key    UINTEGER NOT NULL,
    date         DATE NOT NULL,
    session      UTINYINT NOT NULL,  -- 0 = AM, 1 = PM
    code         mark_code NOT NULL,
    minutes_late USMALLINT
);

CREATE TABLE ap_placements (
    academy_id        USMALLINT NOT NULL,
    pupil_key         UINTEGER NOT NULL,
    provider          VARCHAR NOT NULL,
    provider_urn      VARCHAR,
    arranged_by       VARCHAR NOT NULL,  -- school (B), local-authority (K)
    start_date        DATE NOT NULL,
    end_date          DATE,
    sessions_per_week UTINYINT NOT NULL,
    last_contact_date DATE
);

CREATE TABLE reduced_timetables (
    academy_id        USMALLINT NOT NULL,
    pupil_key         UINTEGER NOT NULL,
    start_date        DATE NOT NULL,
    planned_end_date  DATE NOT NULL,
    next_review_date  DATE NOT NULL,
    end_date          DATE,
    sessions_per_week UTINYINT NOT NULL,
    reason            VARCHAR,
    parents_agreed    BOOLEAN NOT NULL,
    la_notified       BOOLEAN NOT NULL
);

-- The load log: one row per extract received, loaded or rejected.
CREATE SEQUENCE load_id_seq START 1;
CREATE TABLE loads (
    load_id         UBIGINT PRIMARY KEY,
    urn             VARCHAR,
    academy_name    VARCHAR,
    source          VARCHAR NOT NULL,  -- the path it came from
    archived_as     VARCHAR,           -- where the original is kept
    manifest_sha256 VARCHAR,
    extracted_at    TIMESTAMP,
    marks_from      DATE,
    marks_to        DATE,
    source_system   VARCHAR,
    status          VARCHAR NOT NULL,  -- loaded, rejected
    reason          VARCHAR,           -- why a rejected extract was rejected
    pupils_loaded   UBIGINT NOT NULL,
    marks_loaded    UBIGINT NOT NULL,
    rows_loaded     UBIGINT NOT NULL,
    rows_rejected   UBIGINT NOT NULL,
    started_at      TIMESTAMP NOT NULL,
    duration_ms     UBIGINT NOT NULL
);

CREATE TABLE rejected_rows (
    load_id     UBIGINT NOT NULL,
    file        VARCHAR NOT NULL,
    line        UBIGINT NOT NULL,
    column_name VARCHAR NOT NULL,
    value       VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL
);
