"""The incident log's widgets: the table, a record's timeline, the governorate map."""
