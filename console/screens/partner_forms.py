"""Small modal forms for the Partners and Plan panes: fields, a message beside each, nothing saved until valid.

``FormScreen`` shows text fields (and optionally one list of choices on top).
The keys are every form's (``console.screens.form_keys``): enter moves to the
next field (from the last back to the first), ctrl+s saves, escape cancels and
saves nothing. Saving checks every field with the caller's ``validate`` (pure,
instant) and shows each problem beside its field (it goes as soon as the field
is right); only when none is left does it run the caller's ``save`` coroutine
(a store call). A store refusal is shown in the form, never lost:
``ValidationError`` beside its fields, ``StaleRecord`` (someone saved the
record since the form opened) and other refusals at the top. The form
dismisses with ``save``'s result (or the values, without ``save``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from console.model.errors import StaleRecord, StoreError, ValidationError
from console.messages import StoreChanged
from console.screens.form_keys import FormModal

CHOICE = "choice"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    suggestions: tuple[str, ...] = ()
    max_length: int = 300


@dataclass(frozen=True)
class ChoiceField:
    """A list to pick one from (arrows); its value is the chosen key."""

    label: str
    choices: tuple[tuple[str, str], ...]  # (key, shown text)
    value: str = ""


Validate = Callable[[dict[str, str]], dict[str, str]]
Save = Callable[[dict[str, str]], Awaitable[Any]]


class FormScreen(FormModal[Any]):
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical { width: 78; max-width: 100%; height: auto; max-height: 100%;
                            border: round $accent; padding: 0 1; background: $surface; }
    FormScreen .form-title { text-style: bold; height: 1; }
    FormScreen .form-general { color: $error; height: auto; display: none; }
    FormScreen .form-general.-shown { display: block; }
    FormScreen VerticalScroll { height: auto; max-height: 20; }
    FormScreen .form-row { height: auto; }
    FormScreen .form-row Label { width: 15; height: 1; padding: 0 1 0 0; }
    FormScreen .form-row > Vertical { width: 1fr; height: auto; }
    FormScreen .form-row Input { width: 1fr; }
    FormScreen .form-row OptionList { height: auto; max-height: 7; width: 1fr; }
    FormScreen .field-error { color: $error; height: auto; display: none; }
    FormScreen .field-error.-shown { display: block; }
    FormScreen .form-hint { color: $text-muted; height: 1; }
    """

    def __init__(self, title: str, fields: Sequence[FormField], *, choice: ChoiceField | None = None,
                 validate: Validate | None = None, save: Save | None = None, hint: str = "",
                 watch: Callable[[StoreChanged], bool] | None = None) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.choice = choice
        self.validate = validate
        self.save = save
        several = len(self.fields) + (choice is not None) > 1
        self.hint = hint or ("enter: next field   ctrl+s: save   esc: cancel" if several
                             else "enter or ctrl+s: save   esc: cancel")
        self.watch = watch
        self.saving = False

    def compose_form(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.form_title), classes="form-title")
            yield Static("", classes="form-general", id="form-general")
            with VerticalScroll():
                if self.choice is not None:
                    options = [Option(Text(text), id=key) for key, text in self.choice.choices]
                    with Horizontal(classes="form-row"):
                        yield Label(Text(self.choice.label))
                        with Vertical():
                            yield OptionList(*options, id=f"field-{CHOICE}", compact=True)
                            yield Static("", classes="field-error", id=f"error-{CHOICE}")
                for field in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(Text(field.label))
                        with Vertical():
                            yield Input(
                                field.value, placeholder=field.placeholder, id=f"field-{field.name}",
                                compact=True, max_length=field.max_length,
                                suggester=SuggestFromList(field.suggestions, case_sensitive=False)
                                if field.suggestions else None)
                            yield Static("", classes="field-error", id=f"error-{field.name}")
            yield Static(Text(self.hint), classes="form-hint")

    def on_mount(self) -> None:
        if self.choice is not None:
            options = self.query_one(f"#field-{CHOICE}", OptionList)
            keys = [key for key, _text in self.choice.choices]
            options.highlighted = keys.index(self.choice.value) if self.choice.value in keys else 0
            options.focus()
        elif self.fields:
            self.query_one(f"#field-{self.fields[0].name}", Input).focus()

    # --- values and messages ---------------------------------------------------

    def values(self) -> dict[str, str]:
        values = {field.name: self.query_one(f"#field-{field.name}", Input).value for field in self.fields}
        if self.choice is not None:
            options = self.query_one(f"#field-{CHOICE}", OptionList)
            index = options.highlighted if options.highlighted is not None else 0
            values[CHOICE] = self.choice.choices[index][0]
        return values

    def show_errors(self, errors: dict[str, str], general: str = "") -> None:
        names = [CHOICE] if self.choice is not None else []
        names += [field.name for field in self.fields]
        leftover = [f"{name}: {message}" for name, message in errors.items() if name not in names]
        for name in names:
            label = self.query_one(f"#error-{name}", Static)
            message = errors.get(name, "")
            label.update(Text("✗ " + message) if message else "")
            label.set_class(bool(message), "-shown")
        general = "; ".join(([general] if general else []) + leftover)
        top = self.query_one("#form-general", Static)
        top.update(Text("✗ " + general) if general else "")
        top.set_class(bool(general), "-shown")
        self.errors_shown({name: message for name, message in errors.items() if name in names})
        first = next((name for name in names if name in errors), None)
        if first is not None:
            self.query_one(f"#field-{first}").focus()

    def check_fields(self) -> dict[str, str] | None:
        return self.validate(self.values()) if self.validate is not None else None

    def clear_field_error(self, name: str) -> None:
        label = self.query_one(f"#error-{name}", Static)
        label.update("")
        label.set_class(False, "-shown")

    # --- keys ------------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def choice_made(self, event: OptionList.OptionSelected) -> None:
        """A choice clicked: on to the first text field, as enter does."""
        event.stop()
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}", Input).focus()

    def action_save(self) -> None:
        self.submit()

    def submit(self) -> None:
        if self.saving:
            return
        values = self.values()
        errors = self.validate(values) if self.validate is not None else {}
        self.show_errors(errors)
        if errors:
            return
        if self.save is None:
            self.dismiss(values)
            return
        self.saving = True
        self._save(values)

    @work(group="form-save", exit_on_error=False)
    async def _save(self, values: dict[str, str]) -> None:
        try:
            result = await self.save(values)
        except ValidationError as error:
            self.show_errors(error.errors)
        except StaleRecord as error:
            self.show_errors({}, f"not saved: {error}")
            self.notify(str(error), severity="error", timeout=8, markup=False)
        except StoreError as error:
            self.show_errors({}, f"not saved: {error}")
        else:
            self.dismiss(result)
        finally:
            self.saving = False

    def on_store_changed(self, message: StoreChanged) -> None:
        """Tell the operator, without touching what they typed, when the record changed elsewhere."""
        if self.watch is not None and self.watch(message):
            self.show_errors({}, "changed by someone else since you opened it: saving will be refused;"
                                 " esc and open it again")


def parse_count(text: str) -> int | None:
    """'' -> None; '1,200' -> 1200; raises ValueError for anything else."""
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value
