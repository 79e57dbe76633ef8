-- When a browser session was last used: one left idle too long ends before it expires.
-- NULL: not used since it was opened.
ALTER TABLE session ADD COLUMN seen_at TEXT;
