"""Screens: the watch floor, its panes, and the modal and detail screens above it."""
