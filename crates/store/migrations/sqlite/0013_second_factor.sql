-- The second factor an account may turn on: a TOTP secret (base32), confirmed by a first
-- code before it is required, and the step of the last code accepted, so that a code is
-- good once. `pending` holds a secret offered and not yet confirmed.
CREATE TABLE account_totp (
    account_id INTEGER PRIMARY KEY REFERENCES account(id),
    secret     TEXT,
    pending    TEXT,
    last_step  INTEGER NOT NULL DEFAULT 0,
    since      TEXT
) STRICT;

-- Sign-ins whose password was right, waiting for the code: by the hash of a token the
-- sign-in page carries for a few minutes.
CREATE TABLE pending_login (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    lang       TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
