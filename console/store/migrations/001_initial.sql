-- 001: the first schema. Never edit once landed: add a new numbered file instead.
-- Times are ISO 8601 UTC text ('2026-11-25T10:36:00+00:00'), which sorts as time.
-- Every row an operator can see carries a releasability marking: 'ALL' or 'GBR,USA'.

CREATE TABLE operators (
    id          INTEGER PRIMARY KEY,
    login       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    nation      TEXT NOT NULL,
    role        INTEGER NOT NULL CHECK (role BETWEEN 0 AND 3),
    created_at  TEXT NOT NULL
);

CREATE TABLE journal (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    origin      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   INTEGER,
    action      TEXT NOT NULL,
    changes     TEXT NOT NULL DEFAULT '{}',
    prev_hash   TEXT NOT NULL DEFAULT '',
    hash        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX journal_entity ON journal (entity, entity_id);
CREATE INDEX journal_at ON journal (at);
-- Append-only: the database itself refuses edits and deletions of journal rows.
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    occurred_at     TEXT NOT NULL,
    governorate     TEXT NOT NULL,
    locality        TEXT NOT NULL DEFAULT '',
    latitude        REAL,
    longitude       REAL,
    grid_ref        TEXT NOT NULL DEFAULT '',
    category        TEXT NOT NULL,
    description     TEXT NOT NULL,
    severity        INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),
    killed          INTEGER,
    injured         INTEGER,
    alleged_party   TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT '',
    source_type     TEXT NOT NULL DEFAULT 'other',
    reliability     TEXT NOT NULL DEFAULT 'F' CHECK (reliability IN ('A','B','C','D','E','F')),
    credibility     INTEGER NOT NULL DEFAULT 6 CHECK (credibility BETWEEN 1 AND 6),
    status          TEXT NOT NULL DEFAULT 'reported',
    assigned_cell   TEXT NOT NULL DEFAULT '',
    acknowledged_by TEXT NOT NULL DEFAULT '',
    acknowledged_at TEXT,
    releasability   TEXT NOT NULL DEFAULT 'ALL',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incidents_occurred ON incidents (occurred_at DESC);
CREATE INDEX incidents_status ON incidents (status, occurred_at DESC);
CREATE INDEX incidents_severity ON incidents (severity, occurred_at DESC);
CREATE INDEX incidents_governorate ON incidents (governorate, occurred_at DESC);

CREATE TABLE incident_notes (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    text          TEXT NOT NULL,
    author        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    releasability TEXT NOT NULL DEFAULT 'ALL'
);
CREATE INDEX incident_notes_incident ON incident_notes (incident_id);

-- Corroborations: an incident confirmed or disputed by another incident or a headline.
CREATE TABLE incident_links (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    other_kind    TEXT NOT NULL CHECK (other_kind IN ('incident', 'headline')),
    other_id      INTEGER NOT NULL,
    relation      TEXT NOT NULL DEFAULT 'relates' CHECK (relation IN ('confirms', 'disputes', 'relates', 'promoted_from')),
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (incident_id, other_kind, other_id)
);

-- Full-text search over incident descriptions and their notes; rowid = incidents.id.
-- Kept by the incident repository (notes live in another table, so no simple trigger).
CREATE VIRTUAL TABLE incidents_fts USING fts5 (description, notes);

CREATE TABLE crossings (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    border            TEXT NOT NULL DEFAULT '',
    is_open           INTEGER NOT NULL DEFAULT 1,
    status_reason     TEXT NOT NULL DEFAULT '',
    status_changed_at TEXT,
    daily_target      INTEGER
);

CREATE TABLE movements (
    id            INTEGER PRIMARY KEY,
    planned_date  TEXT NOT NULL,
    crossing_id   INTEGER NOT NULL REFERENCES crossings (id),
    organisation  TEXT NOT NULL,
    commodity     TEXT NOT NULL,
    load_type     TEXT NOT NULL DEFAULT 'humanitarian',
    trucks        INTEGER CHECK (trucks IS NULL OR trucks >= 0),
    tonnes        REAL CHECK (tonnes IS NULL OR tonnes >= 0),
    pallets       INTEGER CHECK (pallets IS NULL OR pallets >= 0),
    reference     TEXT NOT NULL DEFAULT '',
    figure_source TEXT NOT NULL DEFAULT 'own_observation',
    status        TEXT NOT NULL DEFAULT 'scheduled',
    status_note   TEXT NOT NULL DEFAULT '',
    releasability TEXT NOT NULL DEFAULT 'ALL',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX movements_day ON movements (planned_date, crossing_id, status);
-- A reference identifies a manifest: importing the same file twice must not duplicate it.
CREATE UNIQUE INDEX movements_reference ON movements (reference, figure_source) WHERE reference <> '';

CREATE TABLE dual_use_requests (
    id             INTEGER PRIMARY KEY,
    item           TEXT NOT NULL,
    list_reference TEXT NOT NULL DEFAULT '',
    quantity       TEXT NOT NULL DEFAULT '',
    organisation   TEXT NOT NULL,
    justification  TEXT NOT NULL DEFAULT '',
    movement_id    INTEGER REFERENCES movements (id),
    status         TEXT NOT NULL DEFAULT 'submitted',
    decision_note  TEXT NOT NULL DEFAULT '',
    decided_at     TEXT,
    submitted_at   TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    releasability  TEXT NOT NULL DEFAULT 'ALL',
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX dual_use_status ON dual_use_requests (status, submitted_at);

CREATE TABLE partners (
    id     INTEGER PRIMARY KEY,
    code   TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    cell   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE officers (
    id                  INTEGER PRIMARY KEY,
    rank                TEXT NOT NULL DEFAULT '',
    name                TEXT NOT NULL,
    partner_id          INTEGER NOT NULL REFERENCES partners (id),
    service             TEXT NOT NULL DEFAULT '',
    cell                TEXT NOT NULL DEFAULT '',
    role                TEXT NOT NULL DEFAULT '',
    contact             TEXT NOT NULL DEFAULT '',
    shift               TEXT NOT NULL DEFAULT 'day',
    rotation_start      TEXT,
    rotation_end        TEXT,
    presence            TEXT NOT NULL DEFAULT 'off_shift',
    presence_changed_at TEXT,
    releasability       TEXT NOT NULL DEFAULT 'ALL',
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX officers_partner ON officers (partner_id);

CREATE TABLE contributors (
    id             INTEGER PRIMARY KEY,
    nation         TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL,
    troops         INTEGER NOT NULL DEFAULT 0,
    police         INTEGER NOT NULL DEFAULT 0,
    role_offered   TEXT NOT NULL DEFAULT '',
    caveats        TEXT NOT NULL DEFAULT '',
    open_questions TEXT NOT NULL DEFAULT '{}',
    notes          TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE plan_points (
    id          INTEGER PRIMARY KEY,
    number      INTEGER NOT NULL UNIQUE CHECK (number BETWEEN 1 AND 20),
    title       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'not_started',
    owner       TEXT NOT NULL DEFAULT '',
    next_step   TEXT NOT NULL DEFAULT '',
    changed_at  TEXT,
    changed_by  TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    url                  TEXT NOT NULL,
    interval_seconds     INTEGER NOT NULL DEFAULT 300 CHECK (interval_seconds >= 5),
    enabled              INTEGER NOT NULL DEFAULT 1,
    header_env           TEXT NOT NULL DEFAULT '',
    keywords             TEXT NOT NULL DEFAULT '',
    last_success_at      TEXT,
    last_error_at        TEXT,
    last_error           TEXT NOT NULL DEFAULT '',
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_poll_at         TEXT,
    items_seen           INTEGER NOT NULL DEFAULT 0,
    etag                 TEXT NOT NULL DEFAULT '',
    last_modified        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE headlines (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER REFERENCES feeds (id) ON DELETE SET NULL,
    source        TEXT NOT NULL,
    title         TEXT NOT NULL,
    link          TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT '',
    guid          TEXT NOT NULL DEFAULT '',
    dedup_key     TEXT NOT NULL UNIQUE,
    published_at  TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    read          INTEGER NOT NULL DEFAULT 0,
    watch_hits    TEXT NOT NULL DEFAULT '',
    releasability TEXT NOT NULL DEFAULT 'ALL'
);
CREATE INDEX headlines_published ON headlines (published_at DESC);
CREATE VIRTUAL TABLE headlines_fts USING fts5 (title, summary, content='headlines', content_rowid='id');
CREATE TRIGGER headlines_fts_insert AFTER INSERT ON headlines BEGIN
    INSERT INTO headlines_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
END;
CREATE TRIGGER headlines_fts_delete AFTER DELETE ON headlines BEGIN
    INSERT INTO headlines_fts (headlines_fts, rowid, title, summary) VALUES ('delete', old.id, old.title, old.summary);
END;

CREATE TABLE log_entries (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    author        TEXT NOT NULL,
    text          TEXT NOT NULL,
    releasability TEXT NOT NULL DEFAULT 'ALL'
);

-- Exactly one process polls feeds: it holds this lease and renews it.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
