"""Themes and the app's layout stylesheet (package data: app.tcss)."""
