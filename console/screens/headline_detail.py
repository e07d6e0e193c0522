"""One headline in full: summary, link, source, watch-list hits. ``p`` promotes it, ``r`` marks it.

Dismisses with ``"promote"`` or ``"toggle_read"`` for the Headlines pane to
act on, or None. Everything shown came from outside: rendered as plain Text. It stays current
(``console.screens.detail_base``): marked read or unread elsewhere, it says so.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from console.model.headlines import Headline
from console.model.journal import Entity
from console.dtg import format_dtg
from console.sanitize import clean_line, clean_text
from console.screens.detail_base import DetailModal


def headline_text(headline: Headline) -> Text:
    """The detail as Rich Text (never markup)."""
    text = Text()
    text.append(clean_line(headline.title, max_chars=500), "bold")
    text.append("\n")
    text.append(f"{format_dtg(headline.published_at)} · ", "dim")
    text.append(clean_line(headline.source, max_chars=200), "dim")
    text.append(" · read" if headline.read else " · unread", "dim")
    if headline.releasability and headline.releasability != "ALL":
        text.append(f" · REL {headline.releasability}", "bold")
    if headline.watch_hits:
        text.append("\nwatch list: ", "bold yellow")
        text.append(", ".join(clean_line(h, max_chars=64) for h in headline.watch_hits), "bold yellow")
    text.append("\n\n")
    text.append(clean_text(headline.summary, max_chars=4000) or "(no summary)")
    text.append("\n\n")
    text.append("link: ", "dim")
    text.append(clean_line(headline.link, max_chars=2000) or "(none)")
    return text


class HeadlineDetailScreen(DetailModal[str | None]):
    """The headline as the pane handed it, read again when the journal says it changed (marked read or
    unread, here or on another console); an archived headline is read-only and stays as handed."""
    WRITES = frozenset({"answer"})  # promote, read/unread

    DEFAULT_CSS = """
    HeadlineDetailScreen { align: center middle; }
    HeadlineDetailScreen > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HeadlineDetailScreen VerticalScroll { height: auto; max-height: 20; }
    HeadlineDetailScreen .keys { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("escape,enter,q", "close", "Close", id="headline_detail.close"),
        Binding("p", "answer('promote')", "Promote", id="headline_detail.promote",
                tooltip="Open the incident form pre-filled from this headline; the two stay linked"),
        Binding("r", "answer('toggle_read')", "Read/unread", id="headline_detail.read",
                tooltip="Mark this headline unread again (or read)"),
    ]
    RELOAD_ON_MOUNT = False  # handed the headline to show

    def __init__(self, headline: Headline) -> None:
        super().__init__(Entity.HEADLINE, headline.id, headline)
        self.headline = headline

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():
                yield Static(headline_text(self.headline), id="headline-detail")
            yield Static(Text("enter/esc close · p promote to incident · r read/unread"), classes="keys")

    async def fetch(self) -> Headline | None:
        if self.headline.archived or self.record_id is None:
            return self.headline  # in the archive file: it does not change
        return await self.app.store.headlines.get(self.app.actor, self.record_id)

    async def show_record(self, headline: Headline) -> None:
        self.headline = headline
        self.query_one("#headline-detail", Static).update(headline_text(headline))

    def gone_text(self) -> str:
        return f"headline {self.record_id} does not exist or is not releasable to you"

    def show_gone(self) -> None:
        self.query_one("#headline-detail", Static).update(Text(self.gone_text()))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
