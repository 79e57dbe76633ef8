-- The reporting regime (chế độ báo cáo): an organization asks the organizations directly
-- under it for a report on a period by a deadline; each fills in the fields, partly
-- pre-filled from dangbo's own figures, and submits. A submission carries a version, so
-- two people editing at once cannot overwrite each other unawares.

CREATE TABLE report_request (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    title       TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    -- One field per line: `key|label|kind|prefill` (kind: number or text).
    fields      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- Who is asked: the organizations under the requester on the day it asked.
CREATE TABLE report_submission (
    request_id   INTEGER NOT NULL REFERENCES report_request(id),
    org_id       INTEGER NOT NULL REFERENCES org(id),
    -- `key=value` lines; empty until first saved.
    answers      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'draft', 'submitted')),
    version      INTEGER NOT NULL DEFAULT 0,
    updated_by   TEXT,
    updated_at   TEXT,
    submitted_at TEXT,
    PRIMARY KEY (request_id, org_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE report_reminder (
    request_id INTEGER NOT NULL REFERENCES report_request(id),
    org_id     INTEGER NOT NULL REFERENCES org(id),
    sent_at    TEXT NOT NULL,
    sent_by    TEXT NOT NULL
) STRICT;
CREATE INDEX report_reminder_request ON report_reminder (request_id, org_id);
