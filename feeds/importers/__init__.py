"""Inbox importers beyond headlines: each module registers its kind with ``feeds.inbox.register``.

``feeds.inbox.Inbox`` imports this package, so every kind listed here is known to every inbox.
"""

from feeds.importers import aid  # noqa: F401
from feeds.importers import incidents  # noqa: F401
from feeds.importers import roster  # noqa: F401
