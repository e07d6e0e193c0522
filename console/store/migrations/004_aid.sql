-- 004: aid flow. Never edit once landed: add a new numbered file instead.

-- The 14-day sparklines and the totals read entered movements over a date range;
-- this index covers them (no table lookups): see console/store/aid.py's docstring.
CREATE INDEX movements_entered ON movements (planned_date, status, crossing_id, figure_source, reference, trucks);
-- A crossing's movements list, newest first.
CREATE INDEX movements_crossing ON movements (crossing_id, planned_date DESC);
