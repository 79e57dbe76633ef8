-- Reported indicators: what an organization reports for a target over a period, as a
-- count out of a total, with the evidence attached (a stored file).

CREATE TABLE indicator_value (
    id          INTEGER PRIMARY KEY,
    target_id   INTEGER NOT NULL REFERENCES document_target(id),
    org_id      INTEGER NOT NULL REFERENCES org(id),
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    num         INTEGER NOT NULL,
    den         INTEGER NOT NULL CHECK (den > 0 AND num >= 0 AND num <= den),
    note        TEXT NOT NULL DEFAULT '',
    evidence_id INTEGER REFERENCES attachment(id),
    reported_by TEXT NOT NULL,
    reported_at TEXT NOT NULL
) STRICT;
CREATE INDEX indicator_value_target ON indicator_value (target_id, org_id, period_to);
