"""A one-field modal: ask for a line of text (a log entry, a note). Escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class TextPromptScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    TextPromptScreen { align: center middle; }
    TextPromptScreen > Vertical { width: 76; height: auto; border: round $accent; padding: 0 1;
                                  background: $surface; }
    TextPromptScreen .error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str = "", *, required: bool = True) -> None:
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.prompt_title, markup=False)
            yield Input(placeholder=self.placeholder, max_length=2000)
            yield Static("", classes="error", markup=False)
            yield Static("enter: save   esc: cancel", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if self.required and not text:
            self.query_one(".error", Static).update("this cannot be empty")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
