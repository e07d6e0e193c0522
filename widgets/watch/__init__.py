"""The watch log's widget: the journal table."""
