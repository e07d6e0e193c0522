"""Keys that are yours (issue 16): `[keys]` in the config maps binding ids to keys, applied with
Textual's keymap; a key given twice in one place, an unknown id or a key that is no key is named
in a notice at start and the default kept; help, footer and palette show the keys as set."""

from __future__ import annotations

import pytest

from console.app import CmccApp
from console.config import load_settings
from console.keymap import canonical, checked_keymap, is_key
from console.screens.help import HelpScreen
from console.screens.incident_form import IncidentFormScreen
from tests.pilot import demo_app, recorded_notices, screen_text, until, watch_floor
from tests.test_incidents_workflow import pane, quiet_settings


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_a_remapped_key_acknowledges_and_help_and_footer_show_it(db_path, size):
    app = await demo_app(db_path, settings=quiet_settings(
        keys={"incident.acknowledge": "A", "nothing.here": "z", "incident.new": "e"}))
    notices = recorded_notices(app)
    async with app.run_test(size=size) as pilot:
        await watch_floor(pilot, app)
        incidents = pane(app)
        table = incidents.table
        assert await until(pilot, lambda: table.row_count > 0)
        waiting = next(row for row in range(table.row_count) if table.record_at(row).acknowledged_at is None)
        table.focus()
        table.move_cursor(row=waiting)
        chosen = table.record_at(waiting)
        await pilot.press("A")
        assert await until(pilot, lambda: table.records[chosen.id].acknowledged_at is not None)
        assert app.screen.active_bindings["A"].binding.action == "acknowledge"
        if size[0] >= 160:  # room for it in the footer, as set
            assert "A Ack" in screen_text(app).splitlines()[-1]
        said = " | ".join(notices)
        assert "'nothing.here': no binding has that id" in said
        assert "'e' would be both incident.edit and incident.new" in said
        await pilot.press("n")  # incident.new kept its default
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        row = next(r for r in app.screen.rows if "[incident.acknowledge]" in r[2])
        assert row[1] == "A"


def test_the_keys_table_of_the_config_is_read_and_checked(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('# mine\n[keys]\n"incident.acknowledge" = "A"\n"app.notices" = "ctrl+n"\n')
    settings = load_settings(path, environ={})
    assert not settings.problems  # no longer "unknown setting, ignored"
    keymap, problems = checked_keymap(dict(settings.keys), CmccApp)
    assert keymap == {"incident.acknowledge": "A", "app.notices": "ctrl+n"} and not problems


def test_a_key_put_back_on_its_default_that_another_took_is_a_clash_too():
    # incident.edit asks for n (incident.new's), so both keep their defaults; incident.ack asked
    # for e, which incident.edit keeps: that clash is found in the next round.
    keymap, problems = checked_keymap({"incident.edit": "n", "incident.acknowledge": "e"}, CmccApp)
    assert keymap == {} and len(problems) == 2


def test_what_is_a_key():
    assert all(is_key(k) for k in ("A", "[", "ctrl+p", "f5", "left_square_bracket", "shift+tab", "space"))
    assert not any(is_key(k) for k in ("ctrl+", "hello", "cmd+a", ""))
    assert canonical("[") == canonical("left_square_bracket") and canonical("/") == "slash"
