-- PostgreSQL twin of the SQLite migration: indexed prefixes for name search.

ALTER TABLE person ADD COLUMN search_rest TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE person SET search_rest = CASE WHEN strpos(search_name, ' ') > 0
    THEN substr(search_name, strpos(search_name, ' ') + 1) ELSE '' END;
CREATE INDEX person_search_name ON person (search_name);
CREATE INDEX person_search_rest ON person (search_rest);
CREATE INDEX person_search_given ON person (search_given);

-- The planner needs statistics on the new column to choose the indexes.
ANALYZE person;
