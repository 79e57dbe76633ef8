-- PostgreSQL twin of the SQLite migration: the second factor (TOTP) of an account, and
-- sign-ins waiting for its code.
CREATE TABLE account_totp (
    account_id BIGINT PRIMARY KEY REFERENCES account(id),
    secret     TEXT COLLATE "C",
    pending    TEXT COLLATE "C",
    last_step  BIGINT NOT NULL DEFAULT 0,
    since      TEXT COLLATE "C"
);

CREATE TABLE pending_login (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES account(id),
    lang       TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);
