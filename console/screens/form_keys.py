"""The keys every form shares: enter moves to the next field, ctrl+s saves, escape cancels.

A form is a ``FormModal``. Its fields are its inputs, selects, option lists and text areas, in the
order they are laid out. Enter in a field moves to the next one, and from the last back to the
first: it never saves, so a form is never sent half filled and nothing typed after the enter is
lost. A form of a single field has nowhere to move to, and there enter saves, as it always did.
``ctrl+s`` saves from any field, and the form's footer says so; escape cancels. Enter keeps its
own meaning in a text area (a new line), on a button, and in an open choice list (it picks).

The message beside a field goes as soon as the field is put right: a form that can check its
values at once (``check_fields``) is checked again at every change, and each message shown
(``errors_shown``) whose field is now good is cleared (``clear_field_error``). New messages only
come with a save.

Only Textual's public API is used here. Every form is a ``FormScreen`` (``console.screens.forms``),
which gives ``compose_form``, ``action_save``, ``check_fields`` and ``clear_field_error`` from its
fields, and calls ``errors_shown``.
"""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Select, TextArea
from widgets.key_footer import KeyFooter

ResultT = TypeVar("ResultT")

#: The widgets that are a form's fields (the list inside an open Select is part of its Select).
FIELD_SELECTOR = "Input, Select, OptionList, TextArea"
SAVE_KEY = "ctrl+s"
#: The keys line under a form of several fields.
KEYS_HINT = "enter: next field · ctrl+s: save · esc: cancel"


def sentence(text: object) -> str:
    """``text`` ending as a sentence ends, so that another sentence can follow it."""
    text = str(text).strip()
    return text if not text or text.endswith((".", "!", "?", ":")) else text + "."


class FormModal(ModalScreen[ResultT]):
    """A modal form: enter moves between its fields, ctrl+s saves (shown in its footer), escape cancels."""

    BINDINGS = [
        Binding(SAVE_KEY, "save", "Save", priority=True, id="form.save",
                tooltip="Check every field and save if all are valid"),
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close the form; nothing is saved"),
        Binding("enter", "next_field", "Next field", show=False, priority=True, id="form.next_field",
                tooltip="Move to the next field (from the last, back to the first)"),
    ]

    # --- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from self.compose_form()
        yield KeyFooter()

    def compose_form(self) -> ComposeResult:  # pragma: no cover - abstract
        raise NotImplementedError

    # --- fields and keys ---------------------------------------------------------

    def form_fields(self) -> list[Widget]:
        """The fields that can take the focus now, in layout order."""
        return [widget for widget in self.query(FIELD_SELECTOR)
                if widget.focusable and not any(isinstance(node, Select) for node in widget.ancestors)]

    def action_next_field(self) -> None:
        focused = self.focused
        fields = self.form_fields()
        if focused is None or isinstance(focused, TextArea) or focused not in fields:
            raise SkipAction()  # enter keeps its own meaning: a new line, a button, a pick in an open list
        if len(fields) == 1:
            self.action_save()
            return
        fields[(fields.index(focused) + 1) % len(fields)].focus()

    def action_save(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)

    # --- messages that go once their field is right ------------------------------

    #: The fields whose message the form's own check also gives: each goes once the check stops giving it.
    _form_recheck: frozenset[str] | set[str] = frozenset()

    def check_fields(self) -> dict[str, str] | None:
        """The messages for the values as they stand (pure and instant), or None if only a save can tell."""
        return None

    def clear_field_error(self, name: str) -> None:  # pragma: no cover - overridden where messages are shown
        pass

    def errors_shown(self, errors: dict[str, str]) -> None:
        """Told the field messages just shown. Those the form's check gives too are cleared as soon as
        their field is right; one only the store gave (a duplicate reference) stays until the next save."""
        now = self.check_fields() if errors else None
        self._form_recheck = {name for name in errors if now is not None and name in now}

    @on(Input.Changed)
    @on(Select.Changed)
    @on(OptionList.OptionHighlighted)
    @on(TextArea.Changed)
    def _form_field_changed(self) -> None:
        if not self._form_recheck:
            return
        now = self.check_fields()
        if now is None:
            return
        for name in [name for name in self._form_recheck if name not in now]:
            self._form_recheck.discard(name)
            self.clear_field_error(name)
