-- The search indexes of migration 16 lacked the person's id, which a search reads with
-- the sort key (SQLite's indexes hold the row id, PostgreSQL's do not): every match cost
-- a read of the table's page. With the id beside the sort key a search is read from the
-- indexes alone (once the table has been vacuumed).

DROP INDEX person_search_name;
DROP INDEX person_search_rest;
DROP INDEX person_search_given;
CREATE INDEX person_search_name ON person (search_name, sort_key, id);
CREATE INDEX person_search_rest ON person (search_rest, sort_key, id);
CREATE INDEX person_search_given ON person (search_given, sort_key, id);
