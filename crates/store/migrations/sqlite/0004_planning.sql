-- Cadre planning (quy hoạch cán bộ): a list per organization, term and body or title,
-- and its entries. Taking a cadre out closes their entry with the day, the reason and the
-- decision; nothing is deleted, so the plan of any past day can be shown.

CREATE TABLE plan_list (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org(id),
    term_ordinal INTEGER NOT NULL,
    term_from    INTEGER NOT NULL,
    term_to      INTEGER NOT NULL,
    -- 'body:<kind>' (executive, standing, inspection) or 'title:<title>'.
    target       TEXT NOT NULL,
    -- A body's prescribed size, or a title's number of seats.
    size         INTEGER NOT NULL CHECK (size > 0),
    created_at   TEXT NOT NULL,
    UNIQUE (org_id, term_ordinal, target)
) STRICT;

CREATE TABLE plan_entry (
    id         INTEGER PRIMARY KEY,
    list_id    INTEGER NOT NULL REFERENCES plan_list(id),
    person_id  INTEGER NOT NULL REFERENCES person(id),
    added_on   TEXT NOT NULL,
    added_by   TEXT NOT NULL,
    removed_on TEXT,
    reason     TEXT,
    removed_by TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX plan_entry_list ON plan_entry (list_id, person_id);
