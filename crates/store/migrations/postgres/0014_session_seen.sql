-- PostgreSQL twin of the SQLite migration: when a browser session was last used.
ALTER TABLE session ADD COLUMN seen_at TEXT COLLATE "C";
