-- PostgreSQL twin of the SQLite migration: planning rule sets as administrators edit them.

CREATE TABLE rule_set (
    source        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    in_force_from TEXT COLLATE "C" NOT NULL,
    params        TEXT COLLATE "C" NOT NULL,
    unconfirmed   TEXT COLLATE "C" NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    updated_at    TEXT COLLATE "C" NOT NULL
);
