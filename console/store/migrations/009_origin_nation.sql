-- 009: the nation that originated a record. Only that nation or a watch officer may widen
-- its releasability marking. Records from before this migration, and those the poller or the
-- inbox brought in, have none: only a watch officer may widen those.

ALTER TABLE incidents ADD COLUMN origin_nation TEXT NOT NULL DEFAULT '';
ALTER TABLE incident_notes ADD COLUMN origin_nation TEXT NOT NULL DEFAULT '';
ALTER TABLE movements ADD COLUMN origin_nation TEXT NOT NULL DEFAULT '';
ALTER TABLE dual_use_requests ADD COLUMN origin_nation TEXT NOT NULL DEFAULT '';
ALTER TABLE officers ADD COLUMN origin_nation TEXT NOT NULL DEFAULT '';
ALTER TABLE log_entries ADD COLUMN origin_nation TEXT NOT NULL DEFAULT '';
