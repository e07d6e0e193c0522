-- 002: ingestion bookkeeping for feeds/ (inbox file ledger, due-feed index).
-- Never edit once landed: add a new numbered file instead.

-- One row per inbox file content ever taken: the same bytes dropped twice are imported once.
-- outcome: 'imported' or 'rejected'. Inserted in the same transaction as the import itself.
CREATE TABLE inbox_files (
    sha256        TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL DEFAULT '',
    rows          INTEGER NOT NULL DEFAULT 0,
    processed_at  TEXT NOT NULL,
    outcome       TEXT NOT NULL
);

CREATE INDEX feeds_due ON feeds (enabled, next_poll_at);
CREATE INDEX headlines_feed ON headlines (feed_id, published_at DESC);
