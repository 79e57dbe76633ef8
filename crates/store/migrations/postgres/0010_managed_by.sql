-- PostgreSQL twin of the SQLite migration: the standing committee that manages a post,
-- and the one whose posts a target counts.

ALTER TABLE position ADD COLUMN managed_by BIGINT REFERENCES org(id);
ALTER TABLE document_target ADD COLUMN managed_by BIGINT REFERENCES org(id);
CREATE INDEX position_managed ON position (managed_by, valid_from);
