"""The aid flow's widgets: the crossings board, totals, movements, their history, the dual-use queue."""
