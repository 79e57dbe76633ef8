-- A name search over a nation finds thousands («nguyễn văn an»: about 10,000 of 5.6
-- million) and shows the first fifty in name order. With the sort key beside each
-- search key, the matches' keys are read from the indexes alone and taken in name order,
-- and only those on the page are joined to where they are placed.

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
