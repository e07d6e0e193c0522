-- 005: partners and plan (issue 5): the roster import key, and the plan's note history.
-- Never edit once landed: add a new numbered file instead.

-- With the partner, the roster import's idempotence key when the file gives one (service number,
-- badge or staff id). Without it, partner + name is the key.
ALTER TABLE officers ADD COLUMN service_number TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX officers_service_number ON officers (partner_id, service_number) WHERE service_number <> '';
CREATE INDEX officers_partner_name ON officers (partner_id, name COLLATE NOCASE);

-- Notes on a plan point, oldest first. Each is also journaled (entity plan_point, action note).
CREATE TABLE plan_point_notes (
    id          INTEGER PRIMARY KEY,
    point_id    INTEGER NOT NULL REFERENCES plan_points (id),
    text        TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX plan_point_notes_point ON plan_point_notes (point_id, id);
