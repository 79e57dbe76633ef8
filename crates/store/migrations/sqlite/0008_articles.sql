-- News articles of an organization's activities, drafted from a conference's records,
-- edited by its office and published on the public pages. Drafts are never shown there.

CREATE TABLE article (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES org(id),
    conference_id INTEGER REFERENCES conference(id),
    title         TEXT NOT NULL,
    -- Paragraphs separated by a blank line.
    body          TEXT NOT NULL,
    author        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    published_at  TEXT,
    version       INTEGER NOT NULL DEFAULT 0,
    updated_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX article_org ON article (org_id, status, published_at);
