-- Nominations (giới thiệu) and their secret ballots. A nomination is a sequence of steps,
-- each a ballot at a conference. A ballot's settings are frozen when it opens.
--
-- Secrecy: nothing here links a voter to a ballot. Voting codes are printed on slips that
-- the vote-counting board hands out; only their SHA-256 is stored, with no person, time
-- or order of issue. A cast ballot has a random id, no time, and no credential; both
-- tables are WITHOUT ROWID, so their rows sit in the order of their random keys, not of
-- their writing.

CREATE TABLE nomination (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org(id),
    plan_list_id INTEGER REFERENCES plan_list(id),
    title        TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;

CREATE TABLE ballot (
    id            INTEGER PRIMARY KEY,
    nomination_id INTEGER NOT NULL REFERENCES nomination(id),
    step          INTEGER NOT NULL,
    name          TEXT NOT NULL,
    conference_id INTEGER REFERENCES conference(id),
    mode          TEXT NOT NULL CHECK (mode IN ('electronic', 'paper')),
    kind          TEXT NOT NULL CHECK (kind IN ('approve', 'choose')),
    max_choices   INTEGER NOT NULL DEFAULT 0,
    base          TEXT NOT NULL CHECK (base IN ('convened', 'present', 'valid')),
    threshold     TEXT NOT NULL,
    quorum        TEXT,
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed', 'locked')),
    convened      INTEGER NOT NULL DEFAULT 0,
    present       INTEGER NOT NULL DEFAULT 0,
    issued        INTEGER NOT NULL DEFAULT 0,
    returned      INTEGER NOT NULL DEFAULT 0,
    valid         INTEGER NOT NULL DEFAULT 0,
    result_hash   TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (nomination_id, step)
) STRICT;

-- The vote-counting board (ban kiểm phiếu) of a ballot: the accounts that count.
CREATE TABLE ballot_board (
    ballot_id  INTEGER NOT NULL REFERENCES ballot(id),
    account_id INTEGER NOT NULL REFERENCES account(id),
    PRIMARY KEY (ballot_id, account_id)
) STRICT, WITHOUT ROWID;

-- Who was convened, and whether present, as frozen when the ballot opened.
CREATE TABLE ballot_convened (
    ballot_id INTEGER NOT NULL REFERENCES ballot(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    present   INTEGER NOT NULL,
    PRIMARY KEY (ballot_id, person_id)
) STRICT, WITHOUT ROWID;

-- The candidates in the order of the ballot paper, with their counts once counted.
CREATE TABLE ballot_candidate (
    ballot_id INTEGER NOT NULL REFERENCES ballot(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    ordinal   INTEGER NOT NULL,
    agree     INTEGER,
    disagree  INTEGER,
    PRIMARY KEY (ballot_id, person_id)
) STRICT, WITHOUT ROWID;

-- One-time voting codes: their hash only, and whether used.
CREATE TABLE ballot_credential (
    hash      TEXT NOT NULL PRIMARY KEY,
    ballot_id INTEGER NOT NULL REFERENCES ballot(id),
    used      INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- Cast ballots: a random id and one character per candidate ('y' or 'n'), nothing else.
CREATE TABLE ballot_cast (
    ballot_id INTEGER NOT NULL REFERENCES ballot(id),
    id        TEXT NOT NULL,
    choices   TEXT NOT NULL,
    PRIMARY KEY (ballot_id, id)
) STRICT, WITHOUT ROWID;
