-- Accounts, their roles over organization subtrees, sessions and API tokens, failed
-- sign-ins for throttling, and the hash chain that makes the audit log tamper-evident.

CREATE TABLE account (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    person_id     INTEGER REFERENCES person(id),
    created_at    TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A role held over the subtree of an organization (NULL: everything) for a period,
-- half-open like every validity range.
CREATE TABLE role_grant (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES account(id),
    role        TEXT NOT NULL,
    org_id      INTEGER REFERENCES org(id),
    valid_from  TEXT NOT NULL,
    valid_to    TEXT CHECK (valid_to IS NULL OR valid_to >= valid_from),
    granted_by  TEXT NOT NULL
) STRICT;
CREATE INDEX role_grant_account ON role_grant (account_id);

-- Web sessions and API tokens. Only a hash of the secret is kept.
CREATE TABLE session (
    token_hash  TEXT PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES account(id),
    kind        TEXT NOT NULL CHECK (kind IN ('web', 'api')),
    name        TEXT NOT NULL,
    csrf        TEXT NOT NULL,
    lang        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) STRICT;
CREATE INDEX session_account ON session (account_id);

CREATE TABLE login_failure (
    username TEXT NOT NULL,
    at       TEXT NOT NULL
) STRICT;
CREATE INDEX login_failure_user ON login_failure (username, at);

-- hash = SHA-256 of the previous line's hash and this line's fields.
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- Files uploaded for import, kept between the preview and the confirmation so that any
-- instance can finish what another began. Removed once imported, or after a day.
CREATE TABLE upload (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    filename   TEXT NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
