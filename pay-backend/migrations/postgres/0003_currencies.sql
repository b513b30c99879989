-- Site settings (display currencies) and the last good table of conversion rates.
CREATE TABLE site_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,              -- JSON
    updated_at TEXT NOT NULL
);

CREATE TABLE rate_tables (
    source     TEXT PRIMARY KEY,           -- e.g. the feed URL
    base       TEXT NOT NULL,
    rates      TEXT NOT NULL,              -- JSON object: code -> decimal text, per 1 base
    published  TEXT NOT NULL,              -- RFC 3339, from the feed
    fetched_at TEXT NOT NULL
);
