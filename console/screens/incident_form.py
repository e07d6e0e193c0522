"""The incident form: new, edit, and a headline promoted to an incident.

``IncidentFormScreen(incident=None, *, title="", link_headline_id=None)`` dismisses
with the saved Incident, or None when the operator cancels (escape: nothing is
written). An ``incident`` with an id is edited (the save names the version it
was read at, so a save over someone else's newer change is refused and the form
reloads their values); one without an id pre-fills a new report. With
``link_headline_id`` the new incident and its ``promoted_from`` link to the
headline are written in one transaction.

Every field is checked at once (``console.model.incidents.incident_from_fields``)
and its message shown under it (it goes as soon as the field is right);
nothing is saved until all are valid. Keyboard only, with every form's keys
(``console.screens.form_keys``): enter (or tab / shift+tab) moves between
fields, from the last back to the first, and never saves; space or the arrows
open a choice list, where enter picks; in the description enter starts a new
line and tab leaves it; ctrl+s saves from anywhere, escape cancels.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from console.model.errors import StaleRecord, StoreError, ValidationError
from console.model.incidents import (
    INCIDENT_FIELDS,
    LOCALITIES,
    RELIABILITY,
    Governorate,
    Incident,
    IncidentCategory,
    SourceType,
    incident_from_fields,
    incident_to_fields,
)
from console.screens.form_keys import FormModal, sentence

RELIABILITY_WORDS = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
                     "D": "not usually reliable", "E": "unreliable", "F": "cannot be judged"}
CREDIBILITY_WORDS = {1: "confirmed", 2: "probably true", 3: "possibly true", 4: "doubtful", 5: "improbable",
                     6: "cannot be judged"}

#: field -> (label, kind, options or placeholder)
FIELDS: dict[str, tuple[str, str, object]] = {
    "when": ("When (Z)", "input", "now, 251036Z, 251036Z NOV 26 or ISO"),
    "governorate": ("Governorate", "select", [(g.value, g.value) for g in Governorate]),
    "locality": ("Locality", "input", "e.g. Jenina (→ completes), or free text"),
    "latitude": ("Latitude", "input", "optional, e.g. 31.28"),
    "longitude": ("Longitude", "input", "optional, e.g. 34.25"),
    "grid_ref": ("Grid ref", "input", "optional"),
    "category": ("Category", "select", [(c.label, c.value) for c in IncidentCategory]),
    "description": ("Description", "text", ""),
    "severity": ("Severity", "select", [(f"{n}", str(n)) for n in range(1, 6)]),
    "killed": ("Killed", "input", "empty = unknown"),
    "injured": ("Injured", "input", "empty = unknown"),
    "alleged_party": ("Alleged party", "input", "optional"),
    "source": ("Source", "input", "who reported it"),
    "source_type": ("Source type", "select", [(s.label, s.value) for s in SourceType]),
    "reliability": ("Reliability", "select", [(f"{r} {RELIABILITY_WORDS[r]}", r) for r in RELIABILITY]),
    "credibility": ("Credibility", "select", [(f"{n} {w}", str(n)) for n, w in CREDIBILITY_WORDS.items()]),
    "assigned_cell": ("Cell", "input", "desk or cell, e.g. Ops"),
    "releasability": ("Releasable to", "input", "ALL or nation codes, e.g. GBR,USA"),
}
assert tuple(FIELDS) == INCIDENT_FIELDS
ALL_LOCALITIES = sorted({name for names in LOCALITIES.values() for name in names})
#: Choices the operator must make: no default is offered for a new report.
MUST_CHOOSE = ("governorate", "category", "severity")


def attention(count: int) -> str:
    """The form's first line while ``count`` fields are wrong."""
    if not count:
        return "nothing saved"
    return f"{count} field{' needs' if count == 1 else 's need'} attention; nothing saved"


class IncidentFormScreen(FormModal[Incident | None]):
    DEFAULT_CSS = """
    IncidentFormScreen { align: center middle; }
    IncidentFormScreen > Vertical {
        width: 100%; max-width: 80; height: 100%; max-height: 40;
        border: round $accent; background: $surface; padding: 0 1;
    }
    IncidentFormScreen .form-title { height: 1; text-style: bold; }
    IncidentFormScreen .form-status { height: auto; color: $error; }
    IncidentFormScreen .form-hint { height: 1; color: $text-muted; }
    IncidentFormScreen VerticalScroll { height: 1fr; }
    IncidentFormScreen .field { height: auto; }
    IncidentFormScreen .field Label { width: 14; padding: 0 1 0 0; }
    IncidentFormScreen .field Input, IncidentFormScreen .field Select { width: 1fr; }
    IncidentFormScreen .field TextArea { width: 1fr; height: 4; }
    IncidentFormScreen .field-error { display: none; padding: 0 0 0 14; color: $error; }
    IncidentFormScreen .field-error.-shown { display: block; }
    IncidentFormScreen .buttons { height: auto; align: right middle; }
    IncidentFormScreen Button { margin: 0 0 0 1; min-width: 10; }
    """
    def __init__(self, incident: Incident | None = None, *, title: str = "",
                 link_headline_id: int | None = None) -> None:
        super().__init__()
        self.incident = incident
        self.link_headline_id = link_headline_id
        self.editing = incident is not None and incident.id is not None
        if title:
            self.form_title = title
        elif self.editing:
            self.form_title = f"Edit incident {incident.id}"
        else:
            self.form_title = "New incident"
        self.errors: dict[str, str] = {}
        self.saved: Incident | None = None

    # --- layout ----------------------------------------------------------------

    def compose_form(self) -> ComposeResult:
        with Vertical():
            yield Static(self.form_title, classes="form-title", markup=False)
            yield Static("", classes="form-status", id="form-status", markup=False)
            with VerticalScroll():
                for name, (label, kind, extra) in FIELDS.items():
                    with Horizontal(classes="field", id=f"row-{name}"):
                        yield Label(label, markup=False)
                        yield self._field_widget(name, kind, extra)
                    yield Static("", classes="field-error", id=f"error-{name}", markup=False)
                with Horizontal(classes="buttons"):
                    yield Button("Save", variant="primary", id="save")
                    yield Button("Cancel", id="cancel")
            yield Static("enter/tab: next field · space: open a list · ctrl+s: save · esc: cancel",
                         classes="form-hint")

    def _field_widget(self, name: str, kind: str, extra: object):
        widget_id = f"f-{name}"
        if kind == "select":
            return Select(extra, id=widget_id, prompt="choose", compact=True,
                          allow_blank=name in MUST_CHOOSE)
        if kind == "text":
            return TextArea(id=widget_id, tab_behavior="focus", soft_wrap=True, compact=True)
        suggester = SuggestFromList(ALL_LOCALITIES, case_sensitive=False) if name == "locality" else None
        return Input(id=widget_id, placeholder=str(extra), compact=True, suggester=suggester)

    def on_mount(self) -> None:
        self.fill(self._initial_values())
        self.query_one("#f-when").focus()

    def _initial_values(self) -> dict[str, str]:
        if self.incident is not None:
            values = incident_to_fields(self.incident)
            if not self.editing and not self.incident.occurred_at:
                values["when"] = "now"
            return values
        return {"when": "now", "source_type": SourceType.OTHER.value, "reliability": "F", "credibility": "6",
                "releasability": getattr(self.app.settings, "default_releasability", "ALL") or "ALL"}

    # --- values ------------------------------------------------------------------

    def fill(self, values: dict[str, str]) -> None:
        for name, (_label, kind, _extra) in FIELDS.items():
            value = values.get(name, "")
            widget = self.query_one(f"#f-{name}")
            if kind == "select":
                options = {v for _l, v in FIELDS[name][2]}
                widget.value = value if value in options else (Select.NULL if name in MUST_CHOOSE else widget.value)
            elif kind == "text":
                widget.text = value
            else:
                widget.value = value

    def values(self) -> dict[str, str]:
        values = {}
        for name, (_label, kind, _extra) in FIELDS.items():
            widget = self.query_one(f"#f-{name}")
            if kind == "select":
                values[name] = "" if widget.value is Select.NULL else str(widget.value)
            elif kind == "text":
                values[name] = widget.text
            else:
                values[name] = widget.value
        return values

    def show_errors(self, errors: dict[str, str], status: str = "") -> None:
        self.errors = dict(errors)
        for name in FIELDS:
            error = self.query_one(f"#error-{name}", Static)
            message = errors.get(name, "")
            error.update(f"↑ {message}" if message else "")
            error.set_class(bool(message), "-shown")
        unknown = {k: v for k, v in errors.items() if k not in FIELDS}
        lines = [status] if status else []
        lines += [f"{k}: {v}" for k, v in unknown.items()]
        if errors and not status:
            lines.insert(0, attention(len(errors.keys() & FIELDS.keys())))
        self.query_one("#form-status", Static).update("\n".join(lines))
        self.errors_shown({k: v for k, v in errors.items() if k in FIELDS})

    def check_fields(self) -> dict[str, str] | None:
        return incident_from_fields(self.values(), base=self.incident if self.editing else None)[1]

    def clear_field_error(self, name: str) -> None:
        self.errors.pop(name, None)
        error = self.query_one(f"#error-{name}", Static)
        error.update("")
        error.set_class(False, "-shown")
        fields_left = len(self.errors.keys() & FIELDS.keys())
        others = [f"{k}: {v}" for k, v in self.errors.items() if k not in FIELDS]
        self.query_one("#form-status", Static).update(
            "\n".join(([attention(fields_left)] if fields_left or others else []) + others))

    # --- keys --------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()

    def action_save(self) -> None:
        incident, errors = incident_from_fields(self.values(), base=self.incident if self.editing else None)
        if errors:
            self.show_errors(errors)
            first = next(name for name in FIELDS if name in errors) if errors.keys() & FIELDS.keys() else None
            if first:
                self.query_one(f"#f-{first}").focus()
            return
        self.show_errors({}, "saving…")
        self._save(incident)

    @work(exclusive=True, group="incident-form", exit_on_error=False)
    async def _save(self, incident: Incident) -> None:
        store, actor = self.app.store, self.app.actor
        try:
            if self.editing:
                saved = await store.incidents.update(actor, incident, expected_version=self.incident.version)
            else:
                saved = await store.incidents.create(actor, incident, link_headline_id=self.link_headline_id)
        except ValidationError as error:
            self.show_errors(error.errors)
            return
        except StaleRecord as error:
            fresh = await store.incidents.get(actor, self.incident.id)
            if fresh is not None:
                self.incident = fresh
                self.fill(incident_to_fields(fresh))
                self.form_title = f"Edit incident {fresh.id} (reloaded: version {fresh.version})"
                self.query_one(".form-title", Static).update(self.form_title)
                then = "The form now shows the current values: make your change again."
            else:
                then = "It is no longer releasable to you: esc closes the form."
            self.show_errors({}, f"{sentence(error)} {then}")
            self.notify(str(error), severity="warning", timeout=8, markup=False)
            return
        except StoreError as error:
            self.show_errors({}, str(error))
            self.notify(str(error), severity="error", timeout=8, markup=False)
            return
        self.saved = saved
        self.dismiss(saved)
