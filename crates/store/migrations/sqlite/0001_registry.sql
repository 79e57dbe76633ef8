-- The organization tree with its history, people, members, placements, bodies and
-- positions, and the audit log. Dates are ISO text (yyyy-mm-dd), which sorts as dates.
-- Validity ranges are half-open: valid_from inclusive, valid_to exclusive, NULL = open.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE org (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE org_version (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES org(id),
    valid_from TEXT NOT NULL CHECK (length(valid_from) = 10),
    valid_to   TEXT CHECK (valid_to IS NULL OR (length(valid_to) = 10 AND valid_to >= valid_from)),
    parent_id  INTEGER REFERENCES org(id),
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    level      TEXT NOT NULL,
    path       TEXT NOT NULL,
    depth      INTEGER NOT NULL,
    change     TEXT NOT NULL,
    -- What ended the version: rename, move, dissolve, merge:<code>, split:<codes>.
    ended_by   TEXT
) STRICT;
CREATE INDEX org_version_path ON org_version (path, valid_from);
CREATE INDEX org_version_org ON org_version (org_id, valid_from);
CREATE INDEX org_version_parent ON org_version (parent_id, valid_from);

CREATE TABLE person (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    full_name   TEXT NOT NULL,
    family_name TEXT NOT NULL,
    middle_name TEXT NOT NULL,
    given_name  TEXT NOT NULL,
    sort_key    BLOB NOT NULL,
    search_name TEXT NOT NULL,
    search_given TEXT NOT NULL,
    gender      TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    ethnicity   TEXT NOT NULL,
    citizen_id  TEXT UNIQUE,
    phone       TEXT,
    note        TEXT
) STRICT;
CREATE INDEX person_sort ON person (sort_key);
-- No index on the search keys: a search also matches any word of the name
-- (LIKE '% word%'), which no B-tree serves, so the planner scans either way.

CREATE TABLE membership (
    person_id   INTEGER PRIMARY KEY REFERENCES person(id),
    card_number TEXT UNIQUE,
    admitted_on TEXT NOT NULL,
    full_on     TEXT,
    exempt      INTEGER NOT NULL DEFAULT 0 CHECK (exempt IN (0, 1))
) STRICT;

CREATE TABLE placement (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES person(id),
    org_id     INTEGER NOT NULL REFERENCES org(id),
    valid_from TEXT NOT NULL,
    valid_to   TEXT CHECK (valid_to IS NULL OR valid_to >= valid_from),
    change     TEXT NOT NULL
) STRICT;
CREATE INDEX placement_org ON placement (org_id, valid_from);
CREATE INDEX placement_person ON placement (person_id, valid_from);
CREATE UNIQUE INDEX placement_one_open ON placement (person_id) WHERE valid_to IS NULL;

CREATE TABLE body (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES org(id),
    kind            TEXT NOT NULL,
    term_ordinal    INTEGER NOT NULL,
    term_from       INTEGER NOT NULL,
    term_to         INTEGER NOT NULL,
    prescribed_size INTEGER NOT NULL CHECK (prescribed_size > 0),
    UNIQUE (org_id, kind, term_ordinal)
) STRICT;

CREATE TABLE position (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES person(id),
    org_id     INTEGER NOT NULL REFERENCES org(id),
    body_id    INTEGER REFERENCES body(id),
    title      TEXT NOT NULL,
    source     TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT CHECK (valid_to IS NULL OR valid_to >= valid_from)
) STRICT;
CREATE INDEX position_person ON position (person_id, valid_from);
CREATE INDEX position_org ON position (org_id, valid_from);
CREATE INDEX position_body ON position (body_id);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_subject ON audit_log (subject);
