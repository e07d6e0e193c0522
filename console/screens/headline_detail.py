"""One headline in full: summary, link, source, watch-list hits. ``p`` promotes it, ``r`` marks it.

Dismisses with ``"promote"`` or ``"toggle_read"`` for the Headlines pane to
act on, or None. Everything shown came from outside: rendered as plain Text.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.model.headlines import Headline
from console.dtg import format_dtg
from console.sanitize import clean_line, clean_text


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


class HeadlineDetailScreen(ModalScreen[str | None]):
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

    def __init__(self, headline: Headline) -> None:
        super().__init__()
        self.headline = headline

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll():
                yield Static(headline_text(self.headline), id="headline-detail")
            yield Static(Text("enter/esc close · p promote to incident · r read/unread"), classes="keys")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
