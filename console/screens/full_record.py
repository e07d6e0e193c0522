"""`enter` on a row whose cells are cut (a watch-log change, a feed's last error): the record in full.

Each field is a label and its whole value, wrapped to the width; the values come from outside (a
feed's error, an operator's note) and are shown as text, never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.sanitize import clean_line, clean_text


class FullRecordScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    FullRecordScreen { align: center middle; }
    FullRecordScreen > VerticalScroll { width: 90%; max-width: 100; height: auto; max-height: 90%;
                                        border: round $accent; background: $surface; padding: 0 1; }
    FullRecordScreen .full-title { text-style: bold; }
    FullRecordScreen .full-keys { color: $text-muted; }
    """
    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="full.close")]

    def __init__(self, title: str, fields: Sequence[tuple[str, object]]) -> None:
        super().__init__()
        self.record_title = clean_line(title)
        self.fields = [(clean_line(label), clean_text(value)) for label, value in fields]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
        for label, value in self.fields:
            table.add_row(Text(label), Text(value or "-"))
        with VerticalScroll():
            yield Static(Text(self.record_title), classes="full-title")
            yield Static(table, id="full-fields")
            yield Static(Text("esc / enter: close"), classes="full-keys")

    def text(self) -> str:
        """What it shows, as plain text (label and value a line)."""
        return "\n".join(f"{label}: {value}" for label, value in self.fields)
