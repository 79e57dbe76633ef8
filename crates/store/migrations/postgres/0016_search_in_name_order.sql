-- PostgreSQL twin of the SQLite migration: the sort key beside each search key, so that
-- a name search reads its matches in name order from the indexes alone.

DROP INDEX person_search_name;
DROP INDEX person_search_rest;
DROP INDEX person_search_given;
CREATE INDEX person_search_name ON person (search_name, sort_key);
CREATE INDEX person_search_rest ON person (search_rest, sort_key);
CREATE INDEX person_search_given ON person (search_given, sort_key);

-- Whether a match is placed in the subtree on the day is then read from two indexes
-- alone: a placement's days and organization beside its person, an organization
-- version's days and path beside its organization.
DROP INDEX placement_person;
CREATE INDEX placement_person ON placement (person_id, valid_from, valid_to, org_id);
DROP INDEX org_version_org;
CREATE INDEX org_version_org ON org_version (org_id, valid_from, valid_to, path);
