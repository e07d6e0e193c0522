"""The partners' widgets: the liaison roster and the stabilization-force contributors."""
