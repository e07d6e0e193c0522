"""Ingestion: feeds (HTTP or file) and the inbox folder, turned into domain records for the store.

Never imports Textual (see DESIGN.md, "Layers"). Modules:

- ``feeds.parse``: RSS/Atom (feedparser) and JSON Feed documents -> ``Headline`` records.
- ``feeds.poller``: ``FeedPoller`` (httpx): conditional, bounded, backed-off polling.
- ``feeds.inbox``: ``Inbox``: files dropped in a folder, validated, imported or rejected.
- ``feeds.simulator``: ``FeedSimulator``, a local feed server for the demo.
"""
