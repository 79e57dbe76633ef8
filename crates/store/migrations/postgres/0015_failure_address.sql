-- PostgreSQL twin of the SQLite migration: the address of a failed sign-in.
ALTER TABLE login_failure ADD COLUMN address TEXT COLLATE "C";
CREATE INDEX login_failure_address ON login_failure (address, at);
