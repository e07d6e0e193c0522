"""`M`: the notices of this shift, newest first, each with its time; `enter` opens the record a
notice is about (the incident, the headline) where it names one."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.dtg import format_dtg
from console.notices import Notice
from widgets.key_prefix import KeyPrefix

MARKS = {"error": "✗", "warning": "!", "information": " "}


def notice_line(notice: Notice) -> Text:
    """``⏎ 041226Z ! Watch list: rafah · Reuters: crossing closed``: whether enter opens a record, the
    time, the mark of its severity, title and text; as text, wrapped in full."""
    text = Text()
    text.append("⏎ " if notice.opens is not None else "  ", "bold")
    text.append(format_dtg(notice.at).split()[0], "bold")
    text.append(f" {MARKS.get(notice.severity, ' ')} ")
    if notice.title:
        text.append(f"{notice.title} · ", "bold")
    text.append(notice.text)
    return text


class NoticesScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    NoticesScreen { align: center middle; }
    NoticesScreen > Vertical { width: 95%; max-width: 140; height: 90%; border: round $accent;
                               background: $surface; padding: 0 1; }
    NoticesScreen OptionList, NoticesScreen OptionList:focus { height: 1fr; border: none; padding: 0; }
    NoticesScreen .notices-keys { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("escape,q,M", "dismiss", "Close", id="notices.close"),
        Binding("j", "cursor_down", "Down", show=False, id="notices.down"),
        Binding("k", "cursor_up", "Up", show=False, id="notices.up"),
        # As in every list: g g the first (newest), G the last; home and end too (OptionList's own).
        Binding("g", "g_prefix", "g g: first", show=False, id="notices.first"),
        Binding("G", "last", "Last", show=False, id="notices.last"),
    ]

    def __init__(self, notices: list[Notice]) -> None:
        super().__init__()
        self.notices = notices
        self._g = KeyPrefix()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Notices · {len(self.notices)} this session, newest first"), classes="pane-title")
            options = OptionList(*[Option(notice_line(n), id=str(i)) for i, n in enumerate(self.notices)],
                                 id="notices")
            yield options
            if not self.notices:
                yield Static(Text("Nothing yet: watch-list hits and confirmations are listed here."))
            yield Static(Text("enter: open the record (⏎) · esc: close"), classes="notices-keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_g_prefix(self) -> None:
        if self._g.completes():
            self.query_one(OptionList).action_first()

    def action_last(self) -> None:
        self.query_one(OptionList).action_last()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        notice = self.notices[int(event.option.id or 0)]
        if notice.opens is None:
            self.app.bell()
            return
        self.dismiss(None)
        notice.opens()
