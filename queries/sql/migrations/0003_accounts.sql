-- Who may see what: accounts, API tokens and the audit log.

CREATE SEQUENCE user_id_seq START 1;
CREATE TABLE users (
    user_id       INTEGER PRIMARY KEY,
    email         VARCHAR NOT NULL UNIQUE,  -- stored lower-case
    name          VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,         -- trust, academy, governor
    academies     VARCHAR[] NOT NULL,       -- URNs; empty for the trust role and trust governors
    password_hash VARCHAR NOT NULL,         -- argon2id, PHC string
    disabled      BOOLEAN NOT NULL,
    demo          BOOLEAN NOT NULL,         -- usable only while serving in demo mode
    created_at    TIMESTAMP NOT NULL
);

CREATE SEQUENCE token_id_seq START 1;
CREATE TABLE api_tokens (
    token_id     INTEGER PRIMARY KEY,
    name         VARCHAR NOT NULL,
    token_sha256 VARCHAR NOT NULL UNIQUE,   -- the token itself is shown once, never stored
    scope        VARCHAR NOT NULL,          -- read, upload
    urn          VARCHAR,                   -- the academy an upload token may push for
    created_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);

CREATE TABLE audit_log (
    logged_at TIMESTAMP NOT NULL,
    actor   VARCHAR NOT NULL,   -- user email or token:ID
    role    VARCHAR NOT NULL,
    action  VARCHAR NOT NULL,   -- view, export, sign-in, ...
    subject VARCHAR NOT NULL    -- what was viewed or exported
);
