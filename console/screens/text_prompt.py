"""A one-field form: ask for a line of text (a log entry, a note).

A ``FormScreen`` (``console.screens.forms``) of one field: there is nowhere for enter to move to,
so enter saves, as ctrl+s does (the footer names it); escape cancels. Dismisses with the text,
stripped, or None.
"""

from __future__ import annotations

from console.screens.forms import TEXT, FormField, FormScreen, Values


class TextPromptScreen(FormScreen):
    DEFAULT_CSS = """
    TextPromptScreen > #form-box { width: 76; }
    TextPromptScreen .form-title { text-style: none; }
    """

    def __init__(self, title: str, placeholder: str = "", *, required: bool = True) -> None:
        super().__init__(title, [FormField("text", "", kind=TEXT, placeholder=placeholder, max_length=2000,
                                           required=required, empty="this cannot be empty")])
        self.required = required

    async def save(self, values: Values) -> str:
        return values["text"].strip()
