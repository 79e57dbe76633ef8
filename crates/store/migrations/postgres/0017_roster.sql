-- PostgreSQL twin of the SQLite migration: each organization version's top (the
-- organization just below its root) and everyone ever placed under each top, in name
-- order, for the member list of a province.

ALTER TABLE org_version ADD COLUMN top_id BIGINT;
UPDATE org_version SET top_id = split_part(path, '/', 3)::bigint WHERE depth >= 2;

CREATE TABLE roster (
    top_id    BIGINT NOT NULL,
    sort_key  BYTEA NOT NULL,
    person_id BIGINT NOT NULL,
    PRIMARY KEY (top_id, sort_key, person_id)
);
CREATE INDEX roster_person ON roster (person_id);

INSERT INTO roster (top_id, sort_key, person_id)
SELECT DISTINCT v.top_id, p.sort_key, p.id
FROM placement pl JOIN org_version v ON v.org_id = pl.org_id JOIN person p ON p.id = pl.person_id
WHERE v.top_id IS NOT NULL;

ANALYZE roster;
