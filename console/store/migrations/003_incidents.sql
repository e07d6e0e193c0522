-- 003: indexes for the Incidents pane at 100,000 rows (see bench/bench_incidents.py and the
-- docstring of console/store/incidents.py). Every sort key of the pane is served by one
-- ascending index, scanned forwards or backwards, with occurred_at (and the rowid) as the
-- tie-break: a page in any sort order reads ~200 index entries instead of sorting the table.
CREATE INDEX incidents_sort_occurred ON incidents (occurred_at);
CREATE INDEX incidents_sort_severity ON incidents (severity, occurred_at);
CREATE INDEX incidents_sort_category ON incidents (category, occurred_at);
CREATE INDEX incidents_sort_place ON incidents (governorate, locality, occurred_at);
CREATE INDEX incidents_sort_status ON incidents (status, occurred_at);
CREATE INDEX incidents_sort_grading ON incidents (reliability, credibility, occurred_at);
-- The 001 DESC indexes are served by the ones above (scanned backwards); fewer indexes, cheaper writes.
DROP INDEX IF EXISTS incidents_occurred;
DROP INDEX IF EXISTS incidents_status;
DROP INDEX IF EXISTS incidents_severity;
-- The summary strip's counts (by status, open by severity) and the match count for an operator
-- whose nation is not ALL: one covering scan that reads the marking from this index, not from
-- every row. The marking leads, so a status or severity filter is never drawn to this index.
CREATE INDEX incidents_counts ON incidents (releasability, status, severity);
-- What rings the bell (and the "unacknowledged" preset): few rows, so a small partial index.
CREATE INDEX incidents_unacked ON incidents (severity, status, releasability) WHERE acknowledged_at IS NULL;
-- Links made to an incident by other incidents (the detail screen shows both directions).
CREATE INDEX incident_links_other ON incident_links (other_kind, other_id);
