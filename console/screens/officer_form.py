"""The officer form (`n` new, `e` edit on the Partners pane), and the roster filter (`f`)."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding

from console.model.access import Actor
from console.model.journal import Entity
from console.model.partners import Officer, Presence, RosterFilter, Shift, officer_from_fields
from console.messages import StoreChanged
from console.screens.forms import FormField, FormScreen


def _date(value) -> str:
    return value.isoformat() if value else ""


def officer_fields(officer: Officer | None, partner_codes: list[str], default_releasability: str = "ALL"
                   ) -> list[FormField]:
    o = officer or Officer(rank="", name="", partner_code="", releasability=default_releasability)
    shifts = " / ".join(s.label for s in Shift)
    return [
        FormField("partner", "Partner", o.partner_code, placeholder="code, e.g. GBR", suggestions=tuple(partner_codes),
                  max_length=8),
        FormField("rank", "Rank", o.rank, placeholder="e.g. MAJ", max_length=16),
        FormField("name", "Name", o.name, placeholder="given and family name", max_length=80),
        FormField("service", "Service", o.service, placeholder="Army, Navy, Civil...", max_length=40),
        FormField("service_number", "Service no.", o.service_number, placeholder="optional: the import key",
                  max_length=40),
        FormField("cell", "Cell / desk", o.cell, placeholder="e.g. Plans", max_length=40),
        FormField("role", "Role", o.role, placeholder="liaison, planner, analyst...", max_length=60),
        FormField("contact", "Contact", o.contact, placeholder="phone, radio call sign or chat handle",
                  max_length=120),
        FormField("shift", "Shift", o.shift.label, placeholder=shifts, suggestions=tuple(s.label for s in Shift),
                  max_length=10),
        FormField("rotation_start", "Rotation from", _date(o.rotation_start), placeholder="YYYY-MM-DD",
                  max_length=10),
        FormField("rotation_end", "Rotation to", _date(o.rotation_end), placeholder="YYYY-MM-DD", max_length=10),
        FormField("releasability", "Releasable", o.releasability, placeholder="ALL or nation codes, e.g. USA,GBR",
                  max_length=60),
    ]

def officer_form(store, actor: Actor, officer: Officer | None, partner_codes: list[str],
                 default_releasability: str = "ALL") -> FormScreen:
    """New (``officer`` None) or edit; an edit is saved only if nobody saved the officer meanwhile."""

    def check(values: dict[str, str]) -> dict[str, str]:
        return officer_from_fields(values, partner_codes, officer)[1]

    async def save(values: dict[str, str]) -> Officer:
        built, _errors = officer_from_fields(values, partner_codes, officer)
        if officer is None:
            return await store.partners.create_officer(actor, replace(built, presence=Presence.OFF_SHIFT))
        return await store.partners.update_officer(actor, built, expected_version=officer.version)

    def watch(message: StoreChanged) -> bool:
        return officer is not None and officer.id in message.ids().get(Entity.OFFICER, set())

    title = "New officer" if officer is None else f"Edit officer {officer.rank} {officer.name}"
    return FormScreen(title, officer_fields(officer, partner_codes, default_releasability), check=check,
                      save=save, watch=watch)


class RosterFilterScreen(FormScreen):
    """The roster filter: the form's keys, with ctrl+s applying the filter (nothing is saved)."""

    BINDINGS = [Binding("ctrl+s", "save", "Apply", priority=True, id="form.save",
                        tooltip="Apply the filter to the roster")]


def roster_filter_form(current: RosterFilter, partner_codes: list[str]) -> FormScreen:
    """Partner, cell, shift, presence: empty fields match everything. Dismisses with a RosterFilter."""
    fields = [
        FormField("partners", "Partner", ",".join(sorted(current.partners)),
                  placeholder="codes, e.g. GBR,FRA (empty: all)", suggestions=tuple(partner_codes), max_length=60),
        FormField("cell", "Cell", current.cell, placeholder="part of the cell name (empty: all)", max_length=40),
        FormField("shift", "Shift", current.shift.label if current.shift else "",
                  placeholder=" / ".join(s.label for s in Shift) + " (empty: all)",
                  suggestions=tuple(s.label for s in Shift), max_length=10),
        FormField("presence", "Presence", current.presence.label if current.presence else "",
                  placeholder=" / ".join(p.label for p in Presence) + " (empty: all)",
                  suggestions=tuple(p.label for p in Presence), max_length=12),
    ]
    codes = {c.upper() for c in partner_codes}

    def check(values: dict[str, str]) -> dict[str, str]:
        return parse_roster_filter(values, codes, current)[1]

    async def save(values: dict[str, str]) -> RosterFilter:
        return parse_roster_filter(values, codes, current)[0]

    return RosterFilterScreen("Filter the roster", fields, check=check, save=save,
                              hint="enter: next field · ctrl+s: apply · empty fields: all · esc: cancel")


def parse_roster_filter(values: dict[str, str], codes: set[str],
                        current: RosterFilter) -> tuple[RosterFilter, dict[str, str]]:
    errors: dict[str, str] = {}
    partners = frozenset(c.strip().upper() for c in values.get("partners", "").replace(" ", ",").split(",")
                         if c.strip())
    unknown = sorted(partners - codes)
    if unknown:
        errors["partners"] = f"not partners of the center: {', '.join(unknown)}"
    shift = presence = None
    if values.get("shift", "").strip():
        try:
            shift = Shift.parse(values["shift"])
        except ValueError:
            errors["shift"] = "one of: " + ", ".join(s.label for s in Shift)
    if values.get("presence", "").strip():
        try:
            presence = Presence.parse(values["presence"])
        except ValueError:
            errors["presence"] = "one of: " + ", ".join(p.label for p in Presence)
    flt = RosterFilter(partners=partners, cell=values.get("cell", "").strip(), shift=shift, presence=presence,
                       text=current.text)
    return flt, errors
