-- The member list of a province in name order. Walking the nation's name index until
-- fifty people of one province turn up reads thousands of people a page. `roster` holds,
-- for each organization just below a root (a province, in a nation), everyone ever
-- placed beneath it, in name order; a list walks its province's part and checks each
-- person against the placements of the day as before. It may hold more than is placed
-- there on a day, never less: a placement adds its person under the top of every
-- version of its organization, and a new version (a restructure moving a subtree to
-- another province) adds the people of its organization under its top.

ALTER TABLE org_version ADD COLUMN top_id INTEGER;
UPDATE org_version SET top_id = CAST(substr(substr(path, instr(substr(path, 2), '/') + 2), 1,
    instr(substr(path, instr(substr(path, 2), '/') + 2), '/') - 1) AS INTEGER)
WHERE depth >= 2;

CREATE TABLE roster (
    top_id    INTEGER NOT NULL,
    sort_key  BLOB NOT NULL,
    person_id INTEGER NOT NULL,
    PRIMARY KEY (top_id, sort_key, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX roster_person ON roster (person_id);

INSERT INTO roster (top_id, sort_key, person_id)
SELECT DISTINCT v.top_id, p.sort_key, p.id
FROM placement pl JOIN org_version v ON v.org_id = pl.org_id JOIN person p ON p.id = pl.person_id
WHERE v.top_id IS NOT NULL;
