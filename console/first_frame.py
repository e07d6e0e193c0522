"""One first frame: nothing reaches the terminal from start-up until the watch floor has its data.

Without it the terminal receives the empty layout, then each pane as it loads: several full
screens where one will do, over a link where each costs seconds. The hold is Textual's public
``App.batch_update()``, entered at start-up and left once the floor has loaded and every widget
on it has handled what that set off (sizes, resizes): while a batch is open Textual neither lays
out nor renders, so the first frame drawn is the whole floor with its rows. ``timeout`` ends the
hold whatever happens (a start-up takes half a second; on a busy host, a few seconds).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import ExitStack

from textual import events
from textual.app import App
from textual.screen import Screen


class FirstFrame:
    def __init__(self, app: App, timeout: float = 5.0, when_drawn: Callable[[], None] | None = None) -> None:
        self.app = app
        self._when_drawn = when_drawn
        self.held = True
        #: True once the first frame has been drawn (work that would delay it waits for this).
        self.drawn = False
        self._batch = ExitStack()
        self._batch.enter_context(app.batch_update())
        app.set_timer(timeout, self.release)

    def release_when_settled(self, screen: Screen) -> None:
        """``screen`` has its data: end the hold once everything on it has been handled."""
        if self.held:
            self.app.run_worker(self._settle(screen), exclusive=False, exit_on_error=False)

    async def _settle(self, screen: Screen) -> None:
        await handled_by_all(screen)
        # A layout now, inside the batch: Textual lays a screen out on a Resize even while batched
        # (it renders nothing then). Left to the end of the batch, the layout would go out as a
        # frame of its own before the full repaint that follows it.
        screen.post_message(events.Resize.from_dimensions(self.app.size, None))
        await handled_by_all(screen)  # and the Resize events that layout sent to each widget
        self.release()

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        self._batch.close()  # the batch ends: Textual lays out and paints what it has
        if self.app.is_running and self.app.screen_stack:
            self.app.screen.refresh()  # the whole screen, once, whatever was asked for while held
            self.app.screen.call_after_refresh(self._drawn)
        else:  # closing, or no screen yet: nothing will be painted
            self._drawn()

    def _drawn(self) -> None:
        self.drawn = True
        if self._when_drawn is not None:
            self._when_drawn()


async def handled_by_all(screen: Screen) -> None:
    """Every widget on ``screen`` has handled what was queued for it when this was called."""
    pending = 0
    handled = asyncio.Event()

    def one_handled() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            handled.set()

    for node in screen.walk_children(with_self=True):
        if node.call_later(one_handled):
            pending += 1
    if pending:
        await handled.wait()
