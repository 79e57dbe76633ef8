-- A number that grows with every change to the registry's people, placements and
-- organizations. Head counts of a subtree take seconds over millions of people, so the
-- application keeps them and recomputes them only when this number has moved.
CREATE TABLE registry_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO registry_version (id, version) VALUES (1, 0);
