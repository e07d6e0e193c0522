-- 007: shift handovers. The brief is kept as signed (JSON) with its hash, so what the
-- outgoing watch officer signed cannot drift from what the incoming one acknowledged.

CREATE TABLE handovers (
    id               INTEGER PRIMARY KEY,
    since            TEXT NOT NULL,
    brief            TEXT NOT NULL,
    brief_hash       TEXT NOT NULL,
    signed_by        TEXT NOT NULL,
    signed_at        TEXT NOT NULL,
    acknowledged_by  TEXT,
    acknowledged_at  TEXT
);

CREATE INDEX log_entries_at ON log_entries (at DESC);
CREATE INDEX journal_actor ON journal (actor, id);
