-- 013: incidents still reported or verifying long after they were reported are counted in the
-- Incidents summary at every reload; this index lets that count read only the rows of those two
-- statuses older than the limit (and their marking), not the whole log.

CREATE INDEX incidents_ageing ON incidents (status, created_at, releasability);
