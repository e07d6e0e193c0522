"""The `/` filter line of a pane: hidden until asked for."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterInput(Input):
    DEFAULT_CSS = """
    FilterInput { display: none; height: 1; border: none; padding: 0 1; }
    FilterInput.-shown { display: block; }
    """
    BINDINGS = [Binding("escape", "clear_filter", "Clear filter", id="filter.clear")]

    class FilterChanged(Message):
        def __init__(self, filter_input: "FilterInput", text: str) -> None:
            super().__init__()
            self.filter_input = filter_input
            self.text = text

    class FilterDone(Message):
        """The operator left the filter line (enter or escape)."""

        def __init__(self, filter_input: "FilterInput") -> None:
            super().__init__()
            self.filter_input = filter_input

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="filter: words to find (esc clears)", compact=True, **kwargs)

    def open(self) -> None:
        self.add_class("-shown")
        self.focus()

    def show(self, text: str) -> None:
        """Filter by ``text`` as if it were typed here (the line stays shown, to change or clear)."""
        self.add_class("-shown")
        self.value = text  # Input.Changed: FilterChanged, as for typing

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.FilterChanged(self, event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.value:
            self.remove_class("-shown")
        self.post_message(self.FilterDone(self))

    def action_clear_filter(self) -> None:
        self.value = ""
        self.remove_class("-shown")
        self.post_message(self.FilterDone(self))
