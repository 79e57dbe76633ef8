-- Documents with their files, targets and follow-up tasks; conferences with their
-- connection points and attendance; study campaigns, make-up study, self-study and
-- learning reports.

-- Files kept in the database (documents' PDF/DOCX, learning reports), so a backup holds them.
CREATE TABLE attachment (
    id           INTEGER PRIMARY KEY,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_at  TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL
) STRICT;

CREATE TABLE document (
    id         INTEGER PRIMARY KEY,
    -- The canonical number with symbol (116-NQ/TU) and its parts.
    number     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    issuer     TEXT NOT NULL,
    -- The issuing body in words (Ban Thường vụ Tỉnh ủy).
    issued_by  TEXT NOT NULL,
    -- The organization whose office registered it: who may edit it.
    org_id     INTEGER NOT NULL REFERENCES org(id),
    issued_on  TEXT NOT NULL,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL,
    solutions  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (number, issued_on)
) STRICT;

CREATE TABLE document_file (
    document_id   INTEGER NOT NULL REFERENCES document(id),
    attachment_id INTEGER NOT NULL REFERENCES attachment(id),
    PRIMARY KEY (document_id, attachment_id)
) STRICT;

-- A target (chỉ tiêu) as data: computed by a later issue's indicators.
CREATE TABLE document_target (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES document(id),
    seq         INTEGER NOT NULL,
    indicator   TEXT NOT NULL,
    label       TEXT NOT NULL,
    comparison  TEXT NOT NULL CHECK (comparison IN ('ge', 'le', 'between')),
    value       REAL NOT NULL,
    value_to    REAL,
    unit        TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    levels      TEXT NOT NULL
) STRICT;
CREATE INDEX document_target_doc ON document_target (document_id, seq);

CREATE TABLE task (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER REFERENCES document(id),
    conference_id INTEGER,
    org_id        INTEGER NOT NULL REFERENCES org(id),
    title         TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    done_on       TEXT,
    created_at    TEXT NOT NULL
) STRICT;
CREATE INDEX task_due ON task (status, due_on);
CREATE INDEX task_org ON task (org_id);

CREATE TABLE conference (
    id          INTEGER PRIMARY KEY,
    -- The organization whose office runs it in dangbo (its subtree is the scope).
    org_id      INTEGER NOT NULL REFERENCES org(id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    -- Who convenes it, in words (Bộ Chính trị, Ban Bí thư; Ban Thường vụ Tỉnh ủy).
    organizer   TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('in_person', 'online', 'hybrid')),
    place       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('planned', 'open', 'closed')),
    copied_from INTEGER REFERENCES conference(id),
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX conference_org ON conference (org_id, held_on);

CREATE TABLE conference_document (
    conference_id INTEGER NOT NULL REFERENCES conference(id),
    document_id   INTEGER NOT NULL REFERENCES document(id),
    PRIMARY KEY (conference_id, document_id)
) STRICT;

CREATE TABLE agenda_item (
    id            INTEGER PRIMARY KEY,
    conference_id INTEGER NOT NULL REFERENCES conference(id),
    seq           INTEGER NOT NULL,
    topic         TEXT NOT NULL,
    presenter     TEXT NOT NULL
) STRICT;
CREATE INDEX agenda_item_conf ON agenda_item (conference_id, seq);

-- Who is invited: a subtree, a body, or a named person.
CREATE TABLE invitation (
    id            INTEGER PRIMARY KEY,
    conference_id INTEGER NOT NULL REFERENCES conference(id),
    kind          TEXT NOT NULL CHECK (kind IN ('subtree', 'body', 'person')),
    org_id        INTEGER REFERENCES org(id),
    body_id       INTEGER REFERENCES body(id),
    person_id     INTEGER REFERENCES person(id)
) STRICT;
CREATE INDEX invitation_conf ON invitation (conference_id);

-- A connection point; parent_id is the point it relays.
CREATE TABLE point (
    id            INTEGER PRIMARY KEY,
    conference_id INTEGER NOT NULL REFERENCES conference(id),
    parent_id     INTEGER REFERENCES point(id),
    host_org_id   INTEGER REFERENCES org(id),
    -- The host's path on the conference day (for totals by subtree); '' for a point
    -- outside the tree, such as the national one.
    host_path     TEXT NOT NULL,
    -- The base organization the host belongs to, if any.
    base_id       INTEGER REFERENCES org(id),
    name          TEXT NOT NULL,
    place         TEXT NOT NULL,
    operator_id   INTEGER REFERENCES account(id),
    expected      INTEGER NOT NULL CHECK (expected >= 0),
    status        TEXT NOT NULL CHECK (status IN ('registered', 'tested', 'live', 'closed')),
    -- 1 once the point has gone live: closing it does not undo that it connected.
    connected     INTEGER NOT NULL DEFAULT 0 CHECK (connected IN (0, 1)),
    -- The code members type on their phones to check in here.
    join_code     TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL
) STRICT;
CREATE INDEX point_conf ON point (conference_id, host_path);
CREATE INDEX point_parent ON point (parent_id);
CREATE UNIQUE INDEX point_one_per_host ON point (conference_id, host_org_id) WHERE host_org_id IS NOT NULL;

-- Every check-in request, once: request_id makes a resent request count once.
CREATE TABLE checkin (
    conference_id INTEGER NOT NULL,
    request_id    TEXT NOT NULL,
    point_id      INTEGER NOT NULL REFERENCES point(id),
    code          TEXT NOT NULL,
    person_id     INTEGER,
    method        TEXT NOT NULL,
    at            TEXT NOT NULL,
    by_account    INTEGER,
    PRIMARY KEY (conference_id, request_id)
) STRICT, WITHOUT ROWID;

-- Who attended: one row per person per conference, at the first point they checked in.
CREATE TABLE attendee (
    conference_id INTEGER NOT NULL,
    person_id     INTEGER NOT NULL,
    point_id      INTEGER NOT NULL,
    request_id    TEXT NOT NULL,
    category      TEXT NOT NULL,
    base_id       INTEGER,
    at            TEXT NOT NULL,
    PRIMARY KEY (conference_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX attendee_point ON attendee (point_id);

-- People checked in at a point other than the one they were counted at (each such
-- pair once), so that conflicts are counted without reading every check-in.
CREATE TABLE checkin_conflict (
    conference_id INTEGER NOT NULL,
    person_id     INTEGER NOT NULL,
    point_id      INTEGER NOT NULL,
    PRIMARY KEY (conference_id, person_id, point_id)
) STRICT, WITHOUT ROWID;

-- Running totals per point and category: named check-ins, and head counts reported
-- where no names are taken. Kept in the same transaction as what they count.
CREATE TABLE point_tally (
    conference_id INTEGER NOT NULL,
    point_id      INTEGER NOT NULL,
    category      TEXT NOT NULL,
    named         INTEGER NOT NULL DEFAULT 0,
    counted       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (point_id, category)
) STRICT;
CREATE INDEX point_tally_conf ON point_tally (conference_id);

-- Base organizations that sent people, per conference.
CREATE TABLE base_sent (
    conference_id INTEGER NOT NULL,
    base_id       INTEGER NOT NULL,
    PRIMARY KEY (conference_id, base_id)
) STRICT, WITHOUT ROWID;

-- Every correction of attendance, and every head count reported: never a silent edit.
CREATE TABLE attendance_amendment (
    id            INTEGER PRIMARY KEY,
    conference_id INTEGER NOT NULL REFERENCES conference(id),
    point_id      INTEGER REFERENCES point(id),
    person_id     INTEGER REFERENCES person(id),
    action        TEXT NOT NULL CHECK (action IN ('headcount', 'remove', 'move')),
    category      TEXT,
    before_value  TEXT NOT NULL,
    after_value   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    at            TEXT NOT NULL,
    by_actor      TEXT NOT NULL
) STRICT;
CREATE INDEX attendance_amendment_conf ON attendance_amendment (conference_id, id);

CREATE TABLE campaign (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES org(id),
    title           TEXT NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    report_due      TEXT,
    -- Whether members exempted from party activities count in the denominator.
    exempt_counted  INTEGER NOT NULL CHECK (exempt_counted IN (0, 1)),
    -- The grades of learning reports, best first, separated by '|'.
    grades          TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;

CREATE TABLE campaign_document (
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    document_id INTEGER NOT NULL REFERENCES document(id),
    PRIMARY KEY (campaign_id, document_id)
) STRICT;

CREATE TABLE campaign_conference (
    campaign_id   INTEGER NOT NULL REFERENCES campaign(id),
    conference_id INTEGER NOT NULL REFERENCES conference(id),
    PRIMARY KEY (campaign_id, conference_id)
) STRICT;

-- The members in a campaign's scope on its first day, and how each has studied.
CREATE TABLE campaign_member (
    campaign_id INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    org_id      INTEGER NOT NULL,
    path        TEXT NOT NULL,
    exempt      INTEGER NOT NULL,
    studied_how TEXT CHECK (studied_how IS NULL OR studied_how IN ('conference', 'makeup', 'self')),
    studied_on  TEXT,
    studied_ref INTEGER,
    PRIMARY KEY (campaign_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX campaign_member_path ON campaign_member (campaign_id, path);

-- Coverage rolled up: for each organization of the scope, its members (including its
-- subtree's), exempted members, and those who have studied.
CREATE TABLE campaign_tally (
    campaign_id    INTEGER NOT NULL,
    org_id         INTEGER NOT NULL,
    parent_id      INTEGER,
    members        INTEGER NOT NULL,
    exempt         INTEGER NOT NULL,
    studied        INTEGER NOT NULL,
    studied_exempt INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, org_id)
) STRICT;
CREATE INDEX campaign_tally_parent ON campaign_tally (campaign_id, parent_id);

CREATE TABLE makeup_session (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    org_id      INTEGER NOT NULL REFERENCES org(id),
    held_on     TEXT NOT NULL,
    place       TEXT NOT NULL,
    note        TEXT NOT NULL,
    -- 0 while scheduled (planned for a day to come), 1 once held: only then have its
    -- attendees studied.
    held        INTEGER NOT NULL DEFAULT 1 CHECK (held IN (0, 1)),
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX makeup_session_campaign ON makeup_session (campaign_id, org_id);

CREATE TABLE makeup_attendee (
    session_id INTEGER NOT NULL REFERENCES makeup_session(id),
    person_id  INTEGER NOT NULL REFERENCES person(id),
    PRIMARY KEY (session_id, person_id)
) STRICT;

-- Self-study: which documents of a campaign a member has opened.
CREATE TABLE self_study (
    campaign_id INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    opened_at   TEXT NOT NULL,
    PRIMARY KEY (campaign_id, person_id, document_id)
) STRICT;

CREATE TABLE learning_report (
    campaign_id   INTEGER NOT NULL REFERENCES campaign(id),
    person_id     INTEGER NOT NULL REFERENCES person(id),
    body          TEXT NOT NULL,
    attachment_id INTEGER REFERENCES attachment(id),
    submitted_at  TEXT NOT NULL,
    grade         TEXT,
    comment       TEXT,
    assessed_by   TEXT,
    assessed_at   TEXT,
    PRIMARY KEY (campaign_id, person_id)
) STRICT;
