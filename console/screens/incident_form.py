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

from console.model.errors import StaleRecord, StoreError
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
from console.screens.form_keys import sentence
from console.screens.forms import MULTILINE, DROPDOWN, TEXT, FormField, FormScreen, Values

RELIABILITY_WORDS = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
                     "D": "not usually reliable", "E": "unreliable", "F": "cannot be judged"}
CREDIBILITY_WORDS = {1: "confirmed", 2: "probably true", 3: "possibly true", 4: "doubtful", 5: "improbable",
                     6: "cannot be judged"}
ALL_LOCALITIES = tuple(sorted({name for names in LOCALITIES.values() for name in names}))
#: Choices the operator must make: no default is offered for a new report.
MUST_CHOOSE = ("governorate", "category", "severity")


def _text(name: str, label: str, placeholder: str, **more) -> FormField:
    return FormField(name, label, kind=TEXT, placeholder=placeholder, **more)


def _choice(name: str, label: str, choices: list[tuple[str, str]]) -> FormField:
    """A drop-down of (key, shown text); one the operator must make starts unchosen."""
    return FormField(name, label, kind=DROPDOWN, choices=tuple(choices), placeholder="choose",
                     required=name in MUST_CHOOSE)


#: The form's fields, in the order of the model's ``INCIDENT_FIELDS``.
FIELDS: tuple[FormField, ...] = (
    _text("when", "When (Z)", "now, 251036Z, 251036Z NOV 26 or ISO"),
    _choice("governorate", "Governorate", [(g.value, g.value) for g in Governorate]),
    _text("locality", "Locality", "e.g. Jenina (→ completes), or free text", suggestions=ALL_LOCALITIES),
    _text("latitude", "Latitude", "optional, e.g. 31.28"),
    _text("longitude", "Longitude", "optional, e.g. 34.25"),
    _text("grid_ref", "Grid ref", "optional"),
    _choice("category", "Category", [(c.value, c.label) for c in IncidentCategory]),
    FormField("description", "Description", kind=MULTILINE),
    _choice("severity", "Severity", [(str(n), f"{n}") for n in range(1, 6)]),
    _text("killed", "Killed", "empty = unknown"),
    _text("injured", "Injured", "empty = unknown"),
    _text("alleged_party", "Alleged party", "optional"),
    _text("source", "Source", "who reported it"),
    _choice("source_type", "Source type", [(s.value, s.label) for s in SourceType]),
    _choice("reliability", "Reliability", [(r, f"{r} {RELIABILITY_WORDS[r]}") for r in RELIABILITY]),
    _choice("credibility", "Credibility", [(str(n), f"{n} {w}") for n, w in CREDIBILITY_WORDS.items()]),
    _text("assigned_cell", "Cell", "desk or cell, e.g. Ops"),
    _text("releasability", "Releasable to", "ALL or nation codes, e.g. GBR,USA"),
)
assert tuple(field.name for field in FIELDS) == INCIDENT_FIELDS
FIELD_NAMES = frozenset(INCIDENT_FIELDS)


def attention(count: int) -> str:
    """The form's first line while ``count`` fields are wrong."""
    if not count:
        return "nothing saved"
    return f"{count} field{' needs' if count == 1 else 's need'} attention; nothing saved"


class IncidentFormScreen(FormScreen):
    DEFAULT_CSS = """
    IncidentFormScreen > #form-box { width: 100%; max-width: 80; height: 100%; max-height: 40; }
    IncidentFormScreen #form-fields { height: 1fr; max-height: 100%; }
    """
    FIELD_ID = "f-{name}"
    GENERAL_ID = "form-status"
    ERROR_MARK = "↑ "
    LABEL_WIDTH = 14
    BUTTONS = True
    SAVING = "saving…"

    def __init__(self, incident: Incident | None = None, *, title: str = "",
                 link_headline_id: int | None = None, left_to_choose: frozenset[str] = frozenset()) -> None:
        editing = incident is not None and incident.id is not None
        if not title:
            title = f"Edit incident {incident.id}" if editing else "New incident"
        super().__init__(title, FIELDS,
                         hint="enter/tab: next field · space: open a list · ctrl+s: save · esc: cancel")
        self.editing = editing
        self.incident = incident
        self.link_headline_id = link_headline_id
        #: Fields the incident holds only a placeholder for (a promoted headline's category, say):
        #: shown unchosen, as in a new report, so the form asks for them.
        self.left_to_choose = left_to_choose
        self.saved: Incident | None = None

    def initial_values(self) -> Values:
        if self.incident is not None:
            values = incident_to_fields(self.incident)
            if not self.editing and not self.incident.occurred_at:
                values["when"] = "now"
            return {name: value for name, value in values.items() if name not in self.left_to_choose}
        return {"when": "now", "source_type": SourceType.OTHER.value, "reliability": "F", "credibility": "6",
                "releasability": getattr(self.app.settings, "default_releasability", "ALL") or "ALL"}

    def built(self, values: Values) -> tuple[Incident, dict[str, str]]:
        return incident_from_fields(values, base=self.incident if self.editing else None)

    def check(self, values: Values) -> dict[str, str]:
        return self.built(values)[1]

    def summary(self) -> str:
        """How many fields need attention (or the general message), then the messages of no field."""
        others = [f"{name}: {message}" for name, message in self.errors.items() if name not in FIELD_NAMES]
        if self.general:
            lines = [self.general]
        elif self.errors:
            lines = [attention(len(self.errors.keys() & FIELD_NAMES))]
        else:
            lines = []
        return "\n".join(lines + others)

    async def save(self, values: Values) -> Incident:
        incident = self.built(values)[0]
        store, actor = self.app.store, self.app.actor
        if self.editing:
            saved = await store.incidents.update(actor, incident, expected_version=self.incident.version)
        else:
            saved = await store.incidents.create(actor, incident, link_headline_id=self.link_headline_id)
        self.saved = saved
        return saved

    async def refused(self, error: StoreError) -> None:
        """Someone saved the incident meanwhile: their values are loaded, to make the change again on."""
        if not isinstance(error, StaleRecord):
            self.show_errors({}, str(error))
            self.notify(str(error), severity="error", timeout=8, markup=False)
            return
        fresh = await self.app.store.incidents.get(self.app.actor, self.incident.id)
        if fresh is not None:
            self.incident = fresh
            self.fill(incident_to_fields(fresh))
            self.set_title(f"Edit incident {fresh.id} (reloaded: version {fresh.version})")
            then = "The form now shows the current values: make your change again."
        else:
            then = "It is no longer releasable to you: esc closes the form."
        self.show_errors({}, f"{sentence(error)} {then}")
        self.notify(str(error), severity="warning", timeout=8, markup=False)
