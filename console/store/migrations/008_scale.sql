-- 008: a year of operations on one host (issue 9). Never edit once landed: add a new numbered file instead.

-- Deep pages of the incident table: OFFSET walks a sort index and checks every skipped row's
-- releasability. With 003's indexes that meant reading each skipped row from the table
-- (~160 ms at offset 99,800 of 100,000); with "id, releasability" at the end of each index the
-- check is made on the index entry alone (~9 ms). Same names as 003, so the plans read the same.
DROP INDEX IF EXISTS incidents_sort_occurred;
DROP INDEX IF EXISTS incidents_sort_severity;
DROP INDEX IF EXISTS incidents_sort_category;
DROP INDEX IF EXISTS incidents_sort_place;
DROP INDEX IF EXISTS incidents_sort_status;
DROP INDEX IF EXISTS incidents_sort_grading;
CREATE INDEX incidents_sort_occurred ON incidents (occurred_at, id, releasability);
CREATE INDEX incidents_sort_severity ON incidents (severity, occurred_at, id, releasability);
CREATE INDEX incidents_sort_category ON incidents (category, occurred_at, id, releasability);
CREATE INDEX incidents_sort_place ON incidents (governorate, locality, occurred_at, id, releasability);
CREATE INDEX incidents_sort_status ON incidents (status, occurred_at, id, releasability);
CREATE INDEX incidents_sort_grading ON incidents (reliability, credibility, occurred_at, id, releasability);

