-- 010: what the latest poll noticed without failing (entries kept untitled, items over the
-- per-document bound, a validator dropped because it was not ASCII). Rewritten by every
-- successful poll; shown with the feed's health. Operational bookkeeping, like etag: not journaled.

ALTER TABLE feeds ADD COLUMN health_note TEXT NOT NULL DEFAULT '';
