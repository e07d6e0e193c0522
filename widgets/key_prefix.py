"""A key that starts a chord (vim's g g): whether the next key follows it closely enough to finish it."""

from __future__ import annotations

import time

#: How soon the next key of a chord must follow (seconds): later, the first key is forgotten.
CHORD_SECONDS = 1.0


class KeyPrefix:
    def __init__(self, seconds: float = CHORD_SECONDS) -> None:
        self.seconds = seconds
        self._at: float | None = None

    def start(self) -> None:
        """The prefix key, or a key that continues the chord (a digit of g 4 2): the clock starts again."""
        self._at = time.monotonic()

    @property
    def pending(self) -> bool:
        return self._at is not None and time.monotonic() - self._at <= self.seconds

    def end(self) -> None:
        self._at = None

    def completes(self) -> bool:
        """The prefix key pressed again: True (and ended) when it finishes the chord, else it starts one."""
        if self.pending:
            self.end()
            return True
        self.start()
        return False
