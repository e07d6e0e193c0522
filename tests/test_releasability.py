"""Releasability: a record is shown, exported and counted only for nations on its marking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from console.model.access import Actor, Role
from console.model.errors import PermissionDenied
from console.model.incidents import IncidentFilter
from tests.conftest import register_test_operators
from tests.pilot import demo_app, until, watch_floor
from tests.test_store_foundation import an_incident

GBR_OPERATOR = Actor("op_gbr", "Capt. Hale", Role.OPERATOR, "GBR", "test")
DEU_OPERATOR = Actor("op_deu", "Capt. Jonas Weber", Role.OPERATOR, "DEU", "test")
EGY_WATCH_OFFICER = Actor("wo_egy", "Maj. Farah", Role.WATCH_OFFICER, "EGY", "test")
USA_OPERATOR = Actor("op_usa", "Capt. Reyes", Role.OPERATOR, "USA", "test")


@pytest.fixture
async def demo_store(demo_store):
    """The demo database with this module's operators registered too."""
    await register_test_operators(demo_store, GBR_OPERATOR, EGY_WATCH_OFFICER, USA_OPERATOR)
    return demo_store


async def test_a_restricted_incident_is_invisible_to_other_nations_everywhere(demo_store):
    before = await demo_store.incidents.count(DEU_OPERATOR)
    gbr_before = await demo_store.incidents.count(GBR_OPERATOR)
    summary_before = await demo_store.incidents.summary(DEU_OPERATOR)
    secret = await demo_store.incidents.create(GBR_OPERATOR, an_incident(
        description="Liaison report, UK and US eyes only", releasability="USA,GBR", severity=5))
    await demo_store.incidents.add_note(GBR_OPERATOR, secret.id, "source is sensitive", releasability="USA,GBR")

    assert await demo_store.incidents.get(DEU_OPERATOR, secret.id) is None
    assert secret.id not in [i.id for i in await demo_store.incidents.page(DEU_OPERATOR, limit=1000)]
    assert await demo_store.incidents.page(DEU_OPERATOR, IncidentFilter(text="eyes only")) == []
    assert await demo_store.incidents.count(DEU_OPERATOR) == before
    assert (await demo_store.incidents.summary(DEU_OPERATOR)).by_severity == summary_before.by_severity
    assert all(e.entity_id != secret.id or e.entity.value != "incident"
               for e in await demo_store.journal.recent(limit=50, actor=DEU_OPERATOR))

    assert (await demo_store.incidents.get(GBR_OPERATOR, secret.id)).origin_nation == "GBR"
    assert await demo_store.incidents.count(GBR_OPERATOR) == gbr_before + 1


def test_exports_hold_only_what_the_nation_may_see(tmp_path):
    db = str(tmp_path / "rel.db")

    def cmcc(*args):
        return subprocess.run([sys.executable, "-m", "console.cli", *args], capture_output=True, text=True,
                              timeout=60, env=os.environ)

    assert cmcc("demo", "--db", db, "--no-console").returncode == 0  # we are its (USA) admin
    # The seed marks about one incident in ten for a few nations only (USA, GBR, ISR, DEU, FRA).
    usa = json.loads(cmcc("--db", db, "export", "incidents", "--since", "60d", "--format", "json").stdout)
    egy = json.loads(cmcc("--db", db, "export", "incidents", "--since", "60d", "--format", "json",
                          "--view-as", "viewer_egy").stdout)
    restricted = [i for i in usa if i["releasability"] != "ALL"]
    assert restricted and len(egy) == len(usa) - len(restricted)
    assert all(i["releasability"] == "ALL" for i in egy)


async def test_only_the_originating_nation_or_a_watch_officer_widens_a_marking(demo_store):
    shared = await demo_store.incidents.create(GBR_OPERATOR, an_incident(releasability="GBR,DEU"))
    with pytest.raises(PermissionDenied, match="originating nation"):
        await demo_store.incidents.update(DEU_OPERATOR, replace(shared, releasability="ALL"), shared.version)
    # Narrowing is no widening: another nation may restrict a record further.
    narrow = await demo_store.incidents.create(GBR_OPERATOR, an_incident(releasability="GBR,DEU,FRA"))
    narrowed = await demo_store.incidents.update(DEU_OPERATOR, replace(narrow, releasability="GBR,DEU"),
                                                 narrow.version)
    assert narrowed.releasability == "DEU,GBR"
    widened = await demo_store.incidents.update(GBR_OPERATOR, replace(shared, releasability="ALL"), shared.version)
    assert widened.releasability == "ALL"
    other = await demo_store.incidents.create(GBR_OPERATOR, an_incident(releasability="GBR,EGY"))
    by_wo = await demo_store.incidents.update(EGY_WATCH_OFFICER, replace(other, releasability="ALL"), other.version)
    assert by_wo.releasability == "ALL"


async def test_the_marking_shows_on_screen(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = (await watch_floor(pilot, app)).panes[0].table
        assert await until(pilot, lambda: table.row_count > 0)
        marks = {i.id: table.get_cell(str(i.id), "grading").plain for i in table.records.values()}
        restricted = [i.id for i in table.records.values() if i.releasability != "ALL"]
        assert restricted
        assert all(marks[i].endswith("◊") for i in restricted)
        assert not any(m.endswith("◊") for rid, m in marks.items() if rid not in restricted)


async def test_a_roster_entry_is_widened_only_by_its_nation_or_a_watch_officer(demo_store):
    from console.model.partners import Officer

    officer = await demo_store.partners.create_officer(
        GBR_OPERATOR, Officer(rank="MAJ", name="Eyes Only", partner_code="GBR", releasability="GBR,USA"))
    assert officer.id not in [o.id for o in await demo_store.partners.officers(DEU_OPERATOR)]
    current = await demo_store.partners.officer(GBR_OPERATOR, officer.id)
    with pytest.raises(PermissionDenied, match="originating nation"):
        await demo_store.partners.update_officer(
            USA_OPERATOR, replace(current, releasability="ALL"),
            current.version)
    widened = await demo_store.partners.update_officer(GBR_OPERATOR, replace(current, releasability="ALL"),
                                                       current.version)
    assert widened.releasability == "ALL"
    assert officer.id in [o.id for o in await demo_store.partners.officers(DEU_OPERATOR)]


async def test_new_records_take_the_configured_default_marking(db_path):
    from console.config import Settings
    from console.screens.text_prompt import TextPromptScreen
    from tests.conftest import WATCH_OFFICER

    app = await demo_app(db_path, actor=WATCH_OFFICER,
                         settings=Settings(bell=False, poll_feeds=False, default_releasability="GBR,USA"))
    async with app.run_test(size=(80, 24)) as pilot:
        await watch_floor(pilot, app)
        await pilot.press("L")
        assert await until(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        await pilot.press(*"Night quiet", "enter")

        async def logged():
            return await app.store.watch.log_entries(WATCH_OFFICER)
        assert await until(pilot, lambda: not isinstance(app.screen, TextPromptScreen))
        for _ in range(40):
            entries = await logged()
            if entries:
                break
            await pilot.pause(0.05)
        assert [(e.text, e.releasability) for e in entries] == [("Night quiet", "GBR,USA")]
        await pilot.press("3", "n")
        await pilot.pause(0.3)
        form_values = {f.name: f.value for f in getattr(app.screen, "fields", [])}
        assert form_values.get("releasability") == "GBR,USA"
