"""The headlines' widgets: the list, the ticker, the feeds' health."""
