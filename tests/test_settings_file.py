"""The config file: read typed (bad values reported and defaulted), and edited in place by
save_setting, keeping the operator's comments, order, tables and value types."""

from __future__ import annotations

import dataclasses
import os
import stat
import tomllib

import pytest

from console.config import Settings, SettingsFileError, load_settings, save_setting
from console.paths import config_path

COMMENTED = """\
# cmcc config of the Rafah watch floor
bell = false  # the floor is loud enough

# Per-crossing daily truck targets
[crossing_targets]
KS = 400  # Kerem Shalom
# Zikim opens on weekdays only
ZK = 120

[incident_presets]
# the morning brief
"hot rafah" = "open, sev >= 3, last 24h, Rafah"
"""


def comments(text: str) -> list[str]:
    return [line[line.index("#"):] for line in text.splitlines() if "#" in line]


def test_a_theme_change_keeps_comments_order_and_types(tmp_path):
    """The issue: the palette's theme choice turned KS = 400 into "400" and dropped every comment."""
    config = tmp_path / "config.toml"
    config.write_text(COMMENTED, encoding="utf-8")
    save_setting("theme", "cmcc-16", config)
    text = config.read_text(encoding="utf-8")
    assert comments(text) == comments(COMMENTED)
    assert "KS = 400  # Kerem Shalom" in text and '"400"' not in text
    data = tomllib.loads(text)
    assert data["theme"] == "cmcc-16"  # at the top level, not in [crossing_targets]
    assert data["crossing_targets"] == {"KS": 400, "ZK": 120}
    assert text.index('theme = "cmcc-16"') < text.index("[crossing_targets]")
    # Every other line is as the operator wrote it, in the same order (tomlkit may add a blank line).
    assert [line for line in text.splitlines() if line.strip() and line != 'theme = "cmcc-16"'] == [
        line for line in COMMENTED.splitlines() if line.strip()]
    settings = load_settings(config, environ={})
    assert settings.problems == ()
    assert settings.theme == "cmcc-16" and settings.bell is False
    assert settings.crossing_targets == {"KS": 400, "ZK": 120}
    assert settings.incident_presets == (("hot rafah", "open, sev >= 3, last 24h, Rafah"),)


def test_an_existing_theme_line_changes_in_place(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('# mine\ntheme = "cmcc-night"  # for the night shift\nbell = true\n', encoding="utf-8")
    save_setting("theme", "cmcc-16", config)
    assert config.read_text(encoding="utf-8") == '# mine\ntheme = "cmcc-16"  # for the night shift\nbell = true\n'
    save_setting("bell", False, config)
    save_setting("daily_truck_target", 650, config)
    text = config.read_text(encoding="utf-8")
    assert "bell = false\n" in text and "daily_truck_target = 650\n" in text
    settings = load_settings(config, environ={})
    assert (settings.theme, settings.bell, settings.daily_truck_target) == ("cmcc-16", False, 650)
    assert settings.problems == ()


def test_the_palette_path_saves_to_the_default_config(tmp_path):
    """What the App's ``remember`` does: save_setting with no path, then load_settings with none."""
    save_setting("theme", "cmcc-mono")
    assert config_path().is_relative_to(tmp_path)  # conftest's XDG_CONFIG_HOME
    assert stat.S_IMODE(config_path().stat().st_mode) == 0o600  # a new file is the operator's own
    assert config_path().read_text(encoding="utf-8") == 'theme = "cmcc-mono"\n'
    assert load_settings().theme == "cmcc-mono"


def test_saving_keeps_the_file_mode_and_leaves_no_temporary_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("bell = true\n", encoding="utf-8")
    config.chmod(0o640)
    save_setting("theme", "cmcc-16", config)
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_saving_through_a_symlink_edits_the_file_it_points_to(tmp_path):
    real = tmp_path / "dotfiles" / "cmcc.toml"
    real.parent.mkdir()
    real.write_text("bell = true\n", encoding="utf-8")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_setting("theme", "cmcc-16", link)
    assert link.is_symlink() and load_settings(link, environ={}).theme == "cmcc-16"


def test_a_file_that_is_not_toml_is_reported_and_never_overwritten(tmp_path):
    config = tmp_path / "config.toml"
    broken = "# half-edited\ntheme = \n[crossing_targets]\nKS = 400\n"
    config.write_text(broken, encoding="utf-8")
    settings = load_settings(config, environ={})
    assert settings == Settings() and len(settings.problems) == 1
    assert str(config) in settings.problems[0] and "using defaults" in settings.problems[0]
    with pytest.raises(SettingsFileError) as refused:
        save_setting("theme", "cmcc-16", config)
    assert isinstance(refused.value, OSError)  # the palette shows a failed OSError as a notice
    assert "\n" not in str(refused.value) and "not changed" in str(refused.value)
    assert config.read_text(encoding="utf-8") == broken


def test_a_file_that_is_not_utf8_is_reported_and_never_overwritten(tmp_path):
    config = tmp_path / "config.toml"
    config.write_bytes(b'theme = "caf\xe9"\n')
    settings = load_settings(config, environ={})
    assert settings == Settings() and len(settings.problems) == 1 and "using defaults" in settings.problems[0]
    with pytest.raises(SettingsFileError):
        save_setting("theme", "cmcc-16", config)
    assert config.read_bytes() == b'theme = "caf\xe9"\n'


@pytest.mark.parametrize(("line", "key"), [
    ('daily_truck_target = "600"', "daily_truck_target"),
    ("daily_truck_target = -1", "daily_truck_target"),
    ("isf_planned_size = true", "isf_planned_size"),
    ("ticker_seconds = 0", "ticker_seconds"),
    ("refresh_seconds = nan", "refresh_seconds"),
    ('bell = "no"', "bell"),
    ("bell = 0", "bell"),
    ("theme = 16", "theme"),
    ('crossing_targets = { KS = "400" }', "crossing_targets"),
    ("crossing_targets = { KS = -4 }", "crossing_targets"),
    ("crossing_targets = 400", "crossing_targets"),
    ('incident_presets = [["hot", "open"]]', "incident_presets"),
    ('incident_presets = { hot = 3 }', "incident_presets"),
])
def test_a_bad_value_is_reported_by_name_and_defaulted_the_others_kept(tmp_path, line, key):
    config = tmp_path / "config.toml"
    config.write_text(f'watch_keywords = "Rafah, convoy"\n{line}\npoll_feeds = false\n', encoding="utf-8")
    settings = load_settings(config, environ={})
    (problem,) = settings.problems
    assert problem.startswith(f"{config}: {key} = ") and problem.endswith(" is not valid; default kept")
    assert getattr(settings, key) == getattr(Settings(), key)
    assert (settings.watch_keywords, settings.poll_feeds) == ("Rafah, convoy", False)


def test_a_long_bad_value_is_shortened_to_one_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('daily_truck_target = "' + "9\\n" * 500 + '"\n', encoding="utf-8")
    (problem,) = load_settings(config, environ={}).problems
    assert "\n" not in problem and len(problem) < len(str(config)) + 120 and problem.endswith("default kept")


def test_values_are_typed_and_cleaned(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('ticker_seconds = 3\ninbox = "  /srv/\\u001b[2Jdrop  "\n'
                      '[crossing_targets]\n" ks " = 400\n[incident_presets]\n"b" = "sev >= 3"\n"a" = "open"\n',
                      encoding="utf-8")
    settings = load_settings(config, environ={})
    assert settings.problems == ()
    assert settings.ticker_seconds == 3.0 and isinstance(settings.ticker_seconds, float)
    assert settings.inbox == "/srv/drop"
    assert settings.crossing_targets == {"KS": 400}
    assert settings.incident_presets == (("b", "sev >= 3"), ("a", "open"))  # in file order


def test_an_unknown_key_is_reported_and_ignored(tmp_path):
    config = tmp_path / "config.toml"
    # _cli_parse_args would make pydantic-settings parse cmcc's own command line, were it a keyword.
    config.write_text('Theme = "cmcc-16"\n_cli_parse_args = true\nproblems = ["x"]\nbell = false\n', encoding="utf-8")
    settings = load_settings(config, environ={})
    assert settings.problems == (f"{config}: unknown setting 'Theme' ignored",
                                 f"{config}: unknown setting '_cli_parse_args' ignored",
                                 f"{config}: unknown setting 'problems' ignored")
    assert settings.theme == "" and settings.bell is False


def test_stray_environment_variables_change_nothing(tmp_path, monkeypatch):
    """pydantic-settings reads THEME, BELL... from the environment by default; cmcc must not."""
    config = tmp_path / "config.toml"
    config.write_text("ticker_seconds = 5\n", encoding="utf-8")
    for name, value in {"THEME": "cmcc-mono", "theme": "cmcc-mono", "BELL": "false", "ASCII": "1",
                        "LOW_BANDWIDTH": "1", "TICKER_SECONDS": "1", "CROSSING_TARGETS": '{"KS": 1}',
                        "CMCC_BELL": "false", "CMCC_TICKER_SECONDS": "1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("THEME=cmcc-mono\nBELL=false\n", encoding="utf-8")
    for settings in (load_settings(config), load_settings(config, environ=dict(os.environ))):
        assert settings == dataclasses.replace(Settings(), ticker_seconds=5.0) and settings.problems == ()


def test_cmcc_theme_and_cmcc_low_bandwidth_override_the_file(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('theme = "cmcc-night"\nlow_bandwidth = false\n', encoding="utf-8")
    settings = load_settings(config, environ={"CMCC_THEME": " cmcc-16\u001b[2J ", "CMCC_LOW_BANDWIDTH": "Yes"})
    assert (settings.theme, settings.low_bandwidth) == ("cmcc-16", True)
    assert load_settings(config, environ={"CMCC_THEME": "x" * 100}).theme == "x" * 39 + "…"
    assert load_settings(config, environ={"CMCC_LOW_BANDWIDTH": "0"}).low_bandwidth is False
    monkeypatch.setenv("CMCC_THEME", "cmcc-mono")  # the process environment, when environ is not given
    assert load_settings(config).theme == "cmcc-mono"
    assert load_settings(config, environ={}).theme == "cmcc-night"


def test_save_setting_refuses_what_it_cannot_write_faithfully(tmp_path):
    config = tmp_path / "config.toml"
    for key, value in (("no_such_setting", "x"), ("crossing_targets", "x"), ("problems", "x"), ("bell", "yes")):
        with pytest.raises(ValueError):
            save_setting(key, value, config)
    assert not config.exists()


def test_settings_stay_a_plain_frozen_value(tmp_path):
    """Callers build Settings(...) in tests and use dataclasses.replace; neither reads a file."""
    save_setting("theme", "cmcc-mono")  # the default config, which Settings() must not read
    settings = Settings(bell=False)
    assert settings.theme == "" and dataclasses.replace(settings, theme="x").theme == "x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.theme = "x"  # type: ignore[misc]
    assert {f.name for f in dataclasses.fields(Settings)} >= {"poll_feeds", "crossing_targets", "problems"}


def test_cmcc_theme_with_a_config_it_cannot_parse_starts_says_so_and_keeps_the_file(tmp_path):
    """In a real terminal: the choice is not remembered, the operator is told, the console opens."""
    import asyncio
    import sys
    import time
    from pathlib import Path

    from bench.pty_capture import PtyCapture, visible
    from console.store import Store
    from console.store.seed import seed_demo

    async def seed(path):
        store = await Store.open(path)
        try:
            await seed_demo(store.database, operator_login="watch")
        finally:
            await store.close()

    database = tmp_path / "cmcc.db"
    asyncio.run(seed(database))
    config = tmp_path / "config" / "cmcc" / "config.toml"
    config.parent.mkdir(parents=True)
    broken = "poll_feeds = false\nbell = false\ntheme = \"cmcc-dark\n"  # an unclosed string
    config.write_text(broken, encoding="utf-8")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "TERM": "xterm-256color"}
    root = Path(__file__).resolve().parent.parent
    with PtyCapture([sys.executable, "-m", "console.cli", "--db", str(database), "--theme", "cmcc-16"],
                    size=(120, 30), env=env, cwd=str(root)) as capture:
        capture.wait_quiet(1.0, timeout=30)
        deadline = time.monotonic() + 15
        while b"remember" not in visible(bytes(capture.data)) and time.monotonic() < deadline:
            time.sleep(0.1)  # the notice is a toast: its words wrap where the toast's width says
        shown = visible(bytes(capture.data))
        assert capture.running  # started anyway
    assert b"remember" in shown and b"CMCC" in shown
    assert config.read_text(encoding="utf-8") == broken  # the operator's file, untouched
