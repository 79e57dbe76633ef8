-- Planning rule sets as administrators edit them. Until one is stored, the sets shipped
-- in the code (QĐ 50-QĐ/TW and QĐ 377-QĐ/TW) apply; saving one stores them all.

CREATE TABLE rule_set (
    source        TEXT NOT NULL PRIMARY KEY,
    in_force_from TEXT NOT NULL,
    -- The numeric parameters as `key=value` lines (dangbo_domain::planning::RULE_PARAMS).
    params        TEXT NOT NULL,
    -- The keys whose numbers could not be confirmed from the regulation's text.
    unconfirmed   TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
) STRICT;
