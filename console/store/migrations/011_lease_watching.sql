-- 011: what the lease's holder watches besides the feeds (its inbox folder, '' for none), so
-- every console's feed health can say which folder files must be dropped into. Rewritten at
-- every acquire and renewal, like expires_at: bookkeeping, not journaled.

ALTER TABLE leases ADD COLUMN watching TEXT NOT NULL DEFAULT '';
