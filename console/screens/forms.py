"""The one form framework: ``FormField`` describes a field, ``FormScreen`` is the form.

Every form of the console is a ``FormScreen``, with every form's keys (``console.screens.form_keys``):
enter moves to the next field (from the last back to the first) and never saves, except in a form
of one field; ctrl+s saves from anywhere; escape cancels and writes nothing.

A form is built from its fields, either passed in (``FormScreen(title, fields, check=..., save=...)``)
or given by a subclass (``field_specs()``). It lays them out one row each (label, field, and the
field's message beside or under it), reads their values as text (``values()``), checks them at once
(``check``: pure, instant; a required field left empty is refused by the form itself) and shows
each problem beside its field, where it goes as soon as the field is put right. Only when no
problem is left does it call ``save(values)`` (a coroutine, usually a store call), overridable or
passed in. A store refusal stays in the form, never lost: a ``ValidationError`` beside its fields,
any other ``StoreError`` on the form's top line (``refused``). The form dismisses with what
``save`` returned (or the values, without a ``save``).

Field kinds: ``TEXT`` (a line: an Input, with suggestions), ``DROPDOWN`` (a drop-down: space or the
arrows open it, enter picks), ``LIST`` (a list shown open, the arrows choose) and ``MULTILINE``
(a text area: enter is a new line, tab leaves it). Each field's value is a string: the text, or
the chosen choice's key ("" for none).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from console.messages import StoreChanged
from console.model.errors import StaleRecord, StoreError, ValidationError
from console.screens.confirm import ConfirmScreen
from console.screens.form_keys import KEYS_HINT, FormModal

TEXT = "text"
DROPDOWN = "dropdown"
LIST = "list"
MULTILINE = "multiline"
KINDS = (TEXT, DROPDOWN, LIST, MULTILINE)
#: The name a form gives its list of choices (a status) when it has one.
CHOICE = "choice"

#: The keys line under a form of one field (enter has nowhere to move to, so it saves).
ONE_FIELD_HINT = "enter or ctrl+s: save · esc: cancel"
#: What the form says when its record was saved elsewhere while it was open.
CHANGED_ELSEWHERE = "changed by someone else since you opened it: saving will be refused; esc and open it again"


@dataclass(frozen=True)
class FormField:
    """One field of a form. ``value`` is where it starts: the text, or the key of the choice.

    ``choices`` are (key, shown text) pairs, for ``DROPDOWN`` and ``LIST``. A ``required`` field may
    not be left empty (``empty`` is the message; "cannot be empty" or "choose one" by default); a
    required ``DROPDOWN`` starts unchosen, showing its ``placeholder``, until the operator picks one
    (one not required always holds a choice). ``suggestions`` complete a ``TEXT`` field as it is
    typed; ``max_length`` (0: none) and ``restrict`` (a regular expression) limit what it takes.
    """

    name: str
    label: str
    value: str = ""
    _: KW_ONLY
    kind: str = TEXT
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    suggestions: tuple[str, ...] = ()
    required: bool = False
    empty: str = ""
    max_length: int = 0
    restrict: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name}: kind {self.kind!r} is not one of {', '.join(KINDS)}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _shown in self.choices)

    def empty_message(self) -> str:
        return self.empty or ("choose one" if self.kind in (DROPDOWN, LIST) else "cannot be empty")


Values = dict[str, str]
Check = Callable[[Values], Mapping[str, str]]
Save = Callable[[Values], Awaitable[Any]]


class FormScreen(FormModal[Any]):
    """A modal form built from ``FormField``s; see the module's docstring.

    Class attributes a form may change: ``FIELD_ID`` and ``ERROR_ID`` (each field's widget id and its
    message's, from its name), ``GENERAL_ID`` (the top line's id), ``ERROR_MARK`` (before each
    message), ``ERRORS_BESIDE`` (the message on the field's row, else under it), ``LABEL_WIDTH``
    (the least label column), ``SELECT_ON_FOCUS``, ``BUTTONS`` (Save and Cancel buttons),
    ``FIRST_FOCUS`` (the field focused first; the first field by default), ``STORE_NAMES`` (the
    store's name for a field -> the form's), ``REFUSAL`` (the top line for a store refusal),
    ``SAVING`` (the top line while a save runs).
    """

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form-box { width: 78; max-width: 100%; height: auto; max-height: 100%;
                             border: round $accent; background: $surface; padding: 0 1; }
    FormScreen .form-title { text-style: bold; height: auto; }
    FormScreen .form-about { color: $text-muted; height: auto; }
    FormScreen .form-general { color: $error; height: auto; display: none; }
    FormScreen .form-general.-shown { display: block; }
    FormScreen #form-fields { height: auto; max-height: 20; }
    FormScreen .form-row { height: auto; }
    FormScreen .form-label { width: 15; height: 1; padding: 0 1 0 0; }
    FormScreen .form-row Input, FormScreen .form-row Select { width: 1fr; }
    FormScreen .form-row OptionList { width: 1fr; height: auto; max-height: 8; }
    FormScreen .form-row TextArea { width: 1fr; height: 4; }
    FormScreen .field-error { color: $error; height: auto; display: none; }
    FormScreen .field-error.-shown { display: block; }
    FormScreen .form-row .field-error { width: 1fr; padding-left: 1; }
    FormScreen .form-buttons { height: auto; align: right middle; }
    FormScreen .form-buttons Button { margin: 0 0 0 1; min-width: 10; }
    FormScreen .form-keys { color: $text-muted; height: auto; }
    """

    FIELD_ID = "field-{name}"
    ERROR_ID = "error-{name}"
    GENERAL_ID = "form-general"
    ERROR_MARK = "✗ "
    ERRORS_BESIDE = False
    LABEL_WIDTH = 15
    SELECT_ON_FOCUS = True
    BUTTONS = False
    FIRST_FOCUS: str | None = None
    STORE_NAMES: Mapping[str, str] = {}
    REFUSAL = "not saved: {error}"
    SAVING = ""

    def __init__(self, title: str = "", fields: Sequence[FormField] = (), *, about: str = "",
                 check: Check | None = None, save: Save | None = None, hint: str = "",
                 watch: Callable[[StoreChanged], bool] | None = None) -> None:
        super().__init__()
        self.form_title = title
        self.about = about
        self.given_fields = list(fields)
        self.specs: list[FormField] = list(fields)
        self.check_with = check
        self.save_with = save
        self.hint = hint
        self.watch_with = watch
        self.errors: dict[str, str] = {}
        self.general = ""
        self.saving = False
        #: What the fields held when the form opened (set once they are filled).
        self.opened_with: Values | None = None

    # --- what a form gives ---------------------------------------------------------

    def field_specs(self) -> Sequence[FormField]:
        """The form's fields, in order (those passed in, unless a subclass gives its own)."""
        return self.given_fields

    @property
    def fields(self) -> list[FormField]:
        return self.specs

    def initial_values(self) -> Values:
        """Values filled in once the form is on the screen, over the fields' own (none by default)."""
        return {}

    def check(self, values: Values) -> Mapping[str, str] | None:
        """The problems found without the store (pure, instant), by field; None when only a save can tell."""
        return self.check_with(values) if self.check_with is not None else None

    async def save(self, values: Values) -> Any:
        """Save the (checked) values; what it returns is the form's result. Raise ``ValidationError``
        (by field) or another ``StoreError`` to refuse."""
        return await self.save_with(values) if self.save_with is not None else values

    def notice(self, result: Any) -> str:
        """What to tell the operator once saved ("" for nothing)."""
        return ""

    def watching(self, message: StoreChanged) -> bool:
        """Whether ``message`` says the record this form edits was changed elsewhere."""
        return self.watch_with is not None and self.watch_with(message)

    # --- layout ----------------------------------------------------------------------

    def field_id(self, name: str) -> str:
        return self.FIELD_ID.format(name=name)

    def error_id(self, name: str) -> str:
        return self.ERROR_ID.format(name=name)

    def keys_hint(self) -> str:
        return self.hint or (KEYS_HINT if len(self.specs) > 1 else ONE_FIELD_HINT)

    def compose_form(self) -> ComposeResult:
        self.specs = list(self.field_specs())
        with Vertical(id="form-box"):
            if self.form_title:
                yield Static(self.form_title, classes="form-title", markup=False)
            if self.about:
                yield Static(self.about, classes="form-about", markup=False)
            yield Static("", classes="form-general", id=self.GENERAL_ID, markup=False)
            with VerticalScroll(id="form-fields"):
                for spec in self.specs:
                    with Horizontal(classes="form-row", id=f"row-{spec.name}"):
                        if spec.label:
                            yield Label(spec.label, classes="form-label", markup=False)
                        yield self.field_widget(spec)
                        if self.ERRORS_BESIDE:
                            yield self.error_widget(spec)
                    if not self.ERRORS_BESIDE:
                        yield self.error_widget(spec)
                if self.BUTTONS:
                    with Horizontal(classes="form-buttons"):
                        yield Button("Save", variant="primary", id="save")
                        yield Button("Cancel", id="cancel")
            yield Static(self.keys_hint(), classes="form-keys", markup=False)

    def error_widget(self, spec: FormField) -> Static:
        return Static("", classes="field-error", id=self.error_id(spec.name), markup=False)

    def field_widget(self, spec: FormField) -> Widget:
        widget_id = self.field_id(spec.name)
        if spec.kind == DROPDOWN:
            options = [(shown, key) for key, shown in spec.choices]
            blank = spec.required
            value = spec.value if spec.value in spec.keys else (Select.NULL if blank or not options else options[0][1])
            return Select(options, value=value, prompt=spec.placeholder or "choose", allow_blank=blank,
                          id=widget_id, compact=True)
        if spec.kind == LIST:
            return OptionList(*[Option(Text(shown), id=key) for key, shown in spec.choices], id=widget_id,
                              compact=True)
        if spec.kind == MULTILINE:
            return TextArea(spec.value, id=widget_id, tab_behavior="focus", soft_wrap=True, compact=True)
        suggester = SuggestFromList(spec.suggestions, case_sensitive=False) if spec.suggestions else None
        return Input(spec.value, placeholder=spec.placeholder, id=widget_id, compact=True,
                     max_length=spec.max_length, restrict=spec.restrict, suggester=suggester,
                     select_on_focus=self.SELECT_ON_FOCUS)

    def on_mount(self) -> None:
        # The label column is the longest label and two spaces: a label never runs into its field.
        width = max([self.LABEL_WIDTH, *(len(spec.label) + 2 for spec in self.specs if spec.label)])
        for label in self.query(".form-label"):
            label.styles.width = width
        if not self.ERRORS_BESIDE:
            indent = width if any(spec.label for spec in self.specs) else 0
            for error in self.query(".field-error"):
                error.styles.padding = (0, 0, 0, indent)
        for spec in self.specs:
            if spec.kind == LIST:
                options = self.field(spec.name)
                assert isinstance(options, OptionList)
                options.highlighted = spec.keys.index(spec.value) if spec.value in spec.keys else (
                    0 if spec.choices else None)
        if initial := self.initial_values():
            self.fill(initial)
        first = self.FIRST_FOCUS or (self.specs[0].name if self.specs else None)
        if first is not None:
            self.field(first).focus()
        self.opened_with = self.values()

    def action_cancel(self) -> None:
        """Escape: a form left as it opened closes; one with changes asks before throwing them away."""
        if self.opened_with is None or self.values() == self.opened_with:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard what you typed in this form? Nothing has been saved."),
                             answered)

    def set_title(self, title: str) -> None:
        self.form_title = title
        for widget in self.query(".form-title"):
            if isinstance(widget, Static):
                widget.update(title)

    # --- values ----------------------------------------------------------------------

    def field(self, name: str) -> Widget:
        return self.query_one(f"#{self.field_id(name)}")

    def value_of(self, spec: FormField) -> str:
        widget = self.field(spec.name)
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        if isinstance(widget, OptionList):
            index = widget.highlighted
            return spec.choices[index][0] if index is not None and 0 <= index < len(spec.choices) else ""
        if isinstance(widget, TextArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value

    def values(self) -> Values:
        return {spec.name: self.value_of(spec) for spec in self.specs}

    def fill(self, values: Mapping[str, str]) -> None:
        """Put ``values`` in their fields (a choice not offered leaves a required one unchosen)."""
        for spec in self.specs:
            if spec.name not in values:
                continue
            value, widget = values[spec.name], self.field(spec.name)
            if isinstance(widget, Select):
                if value in spec.keys:
                    widget.value = value
                elif spec.required:
                    widget.value = Select.NULL
            elif isinstance(widget, OptionList):
                if value in spec.keys:
                    widget.highlighted = spec.keys.index(value)
            elif isinstance(widget, TextArea):
                widget.text = value
            elif isinstance(widget, Input):
                widget.value = value

    def required_errors(self, values: Values) -> dict[str, str]:
        return {spec.name: spec.empty_message() for spec in self.specs
                if spec.required and not values.get(spec.name, "").strip()}

    def check_fields(self) -> dict[str, str] | None:
        values = self.values()
        found = self.check(values)
        required = self.required_errors(values)
        if found is None and not any(spec.required for spec in self.specs):
            return None  # only a save can tell
        errors = dict(found or {})
        for name, message in required.items():
            errors.setdefault(name, message)
        return errors

    # --- messages ----------------------------------------------------------------------

    def names(self) -> list[str]:
        return [spec.name for spec in self.specs]

    def show_errors(self, errors: Mapping[str, str], general: str = "") -> None:
        """Each message beside its field, the rest (and ``general``) on the top line; the first field
        in error takes the focus."""
        self.errors = dict(errors)
        self.general = general
        names = self.names()
        for name in names:
            label = self.query_one(f"#{self.error_id(name)}", Static)
            message = errors.get(name, "")
            label.update(self.ERROR_MARK + message if message else "")
            label.set_class(bool(message), "-shown")
        self.show_summary()
        self.errors_shown({name: message for name, message in errors.items() if name in names})
        first = next((name for name in names if name in errors), None)
        if first is not None:
            self.field(first).focus()

    def summary(self) -> str:
        """The top line: the general message, then those of no field."""
        names = set(self.names())
        rest = [f"{name}: {message}" if name else message for name, message in self.errors.items()
                if name not in names]
        text = "; ".join(([self.general] if self.general else []) + rest)
        return self.ERROR_MARK + text if text else ""

    def show_summary(self) -> None:
        text = self.summary()
        top = self.query_one(f"#{self.GENERAL_ID}", Static)
        top.update(text)
        top.set_class(bool(text), "-shown")

    def clear_field_error(self, name: str) -> None:
        self.errors.pop(name, None)
        label = self.query_one(f"#{self.error_id(name)}", Static)
        label.update("")
        label.set_class(False, "-shown")
        self.show_summary()

    # --- keys and saving -----------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    @on(OptionList.OptionSelected)
    def list_choice_made(self, event: OptionList.OptionSelected) -> None:
        """A choice clicked in a list: on to the next field, as enter does."""
        event.stop()
        fields = self.form_fields()
        if event.option_list in fields and len(fields) > 1:
            fields[(fields.index(event.option_list) + 1) % len(fields)].focus()

    def action_save(self) -> None:
        if self.saving:
            return
        values = self.values()
        errors = self.check_fields() or {}
        if errors:
            self.show_errors(errors)
            return
        self.show_errors({}, self.SAVING)
        self.saving = True
        self.run_save(values)

    @work(group="form-save", exit_on_error=False)
    async def run_save(self, values: Values) -> None:
        try:
            result = await self.save(values)
        except ValidationError as error:
            self.show_errors({self.STORE_NAMES.get(name, name): message for name, message in error.errors.items()})
        except StoreError as error:
            await self.refused(error)
        else:
            if notice := self.notice(result):
                self.app.notify(notice, timeout=3, markup=False)
            self.dismiss(result)
        finally:
            self.saving = False
        #: What the fields held when the form opened (set once they are filled).
        self.opened_with: Values | None = None

    async def refused(self, error: StoreError) -> None:
        """A store refusal: on the top line; a stale record is told in a notice too."""
        self.show_errors({}, self.REFUSAL.format(error=error))
        if isinstance(error, StaleRecord):
            self.notify(str(error), severity="error", timeout=8, markup=False)

    def on_store_changed(self, message: StoreChanged) -> None:
        """Tell the operator, without touching what they typed, when the record changed elsewhere."""
        if self.watching(message):
            self.show_errors({}, CHANGED_ELSEWHERE)


def parse_count(text: str) -> int | None:
    """'' -> None; '1,200' -> 1200; raises ValueError for anything else."""
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value
