"""The plan's widget: the twenty points' board."""
