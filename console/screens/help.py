"""`?`: every key binding of the console, grouped by where it works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_groups(app: App) -> list[tuple[str, list[Binding]]]:
    """The bindings of ``app``, the watch floor and the lists, read from the classes themselves.

    The App's come from the running app's class, not from importing ``console.app``: screens sit
    below the App (the layers contract in pyproject.toml)."""
    from console.screens.watch_floor import PANE_CLASSES, WatchFloor
    from widgets.filter_input import FilterInput
    from widgets.record_table import RecordTable

    panes = [(f"{cls.TITLE} pane", list(cls.__dict__.get("BINDINGS", []))) for cls in PANE_CLASSES]
    return [
        ("Everywhere", list(type(app).BINDINGS)),
        ("Watch floor", list(WatchFloor.BINDINGS)),
        *[(title, bindings) for title, bindings in panes if bindings],
        ("Lists", list(RecordTable.BINDINGS) + [Binding("up,down,pageup,pagedown", "", "Move"),
                                               Binding("enter", "", "Open the selected record")]),
        ("Filter line", list(FilterInput.BINDINGS) + [Binding("enter", "", "Keep the filter, back to the list")]),
    ]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 72; max-height: 90%; border: round $accent; background: $surface; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close help", id="help.close")]

    def __init__(self) -> None:
        super().__init__()
        #: (group, keys, what it does): what the help shows, one row per binding, its keys as the
        #: config's [keys] set them (and its id, for [keys]).
        keymap: dict[str, str] = getattr(self.app, "keys_in_force", {})
        self.rows = [
            (title, ", ".join(key_label(self.app, k) for k in keymap.get(binding.id or "", binding.key).split(",")),
             (binding.tooltip or binding.description or binding.action) + (f"  [{binding.id}]" if binding.id else ""))
            for title, bindings in binding_groups(self.app) for binding in bindings
        ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        group = None
        for title, keys, what in self.rows:
            if title != group:
                group = title
                table.add_row(Text(title, style="bold underline"), Text(""))
            table.add_row(Text(keys), Text(what))
        with VerticalScroll():
            yield Static(table)
            yield Static(Text("ctrl+p opens the command palette: every action by name. esc closes this help."))


def key_label(app: App, key: str) -> str:
    """A key as a person reads it: ``[`` for ``left_square_bracket``, ``ctrl+s`` (the footer's
    narrow ``^s`` spelt out), ``enter``, ``esc``."""
    *modifiers, base = key.strip().split("+") if len(key.strip()) > 1 else [key.strip()]
    shown = "enter" if base == "enter" else app.get_key_display(Binding(base, ""))
    return "+".join([*modifiers, shown])
