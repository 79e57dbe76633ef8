-- Searching names over millions of people: each of the three ways a name is typed (from
-- the family name, from the middle name, the given name alone) is a prefix of a column
-- of its own with an index, so a search reads index ranges instead of every person.
-- `search_rest` is the folded name without the family name.

ALTER TABLE person ADD COLUMN search_rest TEXT NOT NULL DEFAULT '';
UPDATE person SET search_rest = CASE WHEN instr(search_name, ' ') > 0
    THEN substr(search_name, instr(search_name, ' ') + 1) ELSE '' END;
CREATE INDEX person_search_name ON person (search_name);
CREATE INDEX person_search_rest ON person (search_rest);
CREATE INDEX person_search_given ON person (search_given);

ANALYZE person;
