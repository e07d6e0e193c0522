"""A one-field modal: ask for a line of text (a log entry, a note).

Every form's keys (``console.screens.form_keys``): with one field there is nowhere for enter
to move to, so enter saves, as ctrl+s does (the footer names it); escape cancels.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from console.screens.form_keys import FormModal


class TextPromptScreen(FormModal[str | None]):
    DEFAULT_CSS = """
    TextPromptScreen { align: center middle; }
    TextPromptScreen > Vertical { width: 76; height: auto; border: round $accent; padding: 0 1;
                                  background: $surface; }
    TextPromptScreen .error { color: $error; height: auto; }
    """

    def __init__(self, title: str, placeholder: str = "", *, required: bool = True) -> None:
        super().__init__()
        self.prompt_title = title
        self.placeholder = placeholder
        self.required = required

    def compose_form(self) -> ComposeResult:
        with Vertical():
            yield Static(self.prompt_title, markup=False)
            yield Input(placeholder=self.placeholder, max_length=2000)
            yield Static("", classes="error", markup=False)
            yield Static("enter or ctrl+s: save   esc: cancel", markup=False)

    def check_fields(self) -> dict[str, str] | None:
        if self.required and not self.query_one(Input).value.strip():
            return {"text": "this cannot be empty"}
        return {}

    def clear_field_error(self, name: str) -> None:
        self.query_one(".error", Static).update("")

    def action_save(self) -> None:
        if errors := self.check_fields():
            self.query_one(".error", Static).update(errors["text"])
            self.errors_shown(errors)
            return
        self.dismiss(self.query_one(Input).value.strip())
