"""The footer of key bindings, redrawn once per burst of binding changes.

Textual's Footer rebuilds all its keys every time the active bindings change:
at start-up that is several times in a row (screen pushed, panes activated,
table focused), each costing a CSS pass over a dozen widgets and, over a slow
link, a repaint. Here the changes of one moment are coalesced into one rebuild.
"""

from __future__ import annotations

from textual.widgets import Footer

#: How long the footer waits for the bindings to settle before rebuilding.
SETTLE_SECONDS = 0.02


class KeyFooter(Footer):
    _pending = None

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(SETTLE_SECONDS, self._rebuild)

    async def _rebuild(self) -> None:
        # Textual's Footer waits for the screen's next refresh instead; the bindings have already
        # settled by now, and a refresh can be held back a while (a batch of pane loads at start-up).
        self._pending = None
        await self.recompose()
        # Textual's Footer binds each key's ``compact`` to its own (``data_bind``): one watcher per key,
        # held by this footer and dropped only when ``compact`` changes. The watch floor's footer lives
        # all shift and rebuilds at every pane switch, so every key it ever showed stayed in memory
        # (~25 widgets a rebuild). Firing the watchers with the same value drops those of removed keys.
        self.mutate_reactive(Footer.compact)
