"""The key footer (widgets/key_footer.py), on a small app of its own: what it shows, what it dims and
hides, that it follows the bindings, one redraw per burst of changes and none for an identical line,
clicks, binding text shown literally, and a narrow footer cut at a whole key."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widget import Widget

from tests.pilot import until
from widgets import key_footer
from widgets.key_footer import KeyFooter

PALETTE = ("^p", "Commands", "command_palette")


class Pad(Widget, can_focus=True):
    """A focusable widget with a key of its own (its subclass's)."""

    DEFAULT_CSS = "Pad { height: 3; }"

    def __init__(self, id: str) -> None:
        super().__init__(id=id)
        self.ran: list[str] = []

    def action_thing(self) -> None:
        self.ran.append(self.id or "")


class LeftPad(Pad):
    BINDINGS = [Binding("a", "thing", "Left thing")]


class RightPad(Pad):
    BINDINGS = [Binding("b", "thing", "Right thing")]


class FooterApp(App):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the record"),
        Binding("h", "hidden", "Hidden", show=False),
        Binding("d", "delete", "Delete"),
        Binding("x", "secret", "Secret"),
        Binding("m", "markup", "[b]x[/b]"),
        Binding("ctrl+p", "command_palette", "Commands", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[str] = []
        self.can_delete = True
        self.show_secret = True

    def compose(self) -> ComposeResult:
        yield LeftPad(id="left")
        yield RightPad(id="right")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete" and not self.can_delete:
            return None  # Textual: None shows the key disabled
        if action == "secret" and not self.show_secret:
            return False  # ...and False hides it
        return True

    def action_save(self) -> None:
        self.ran.append("save")

    def action_delete(self) -> None:
        self.ran.append("delete")

    def action_markup(self) -> None:
        self.ran.append("markup")


async def started(pilot, app: FooterApp) -> KeyFooter:
    footer = app.screen.query_one(KeyFooter)
    assert await until(pilot, lambda: footer.settles >= 1 and footer.keys() and app.focused is not None)
    return footer


def descriptions(footer: KeyFooter) -> list[str]:
    return [description for _key, description, _action in footer.keys()]


def style_of(footer: KeyFooter, word: str):
    """The style the footer draws ``word`` in (every span over its first cell, combined)."""
    text = footer.drawn
    at = text.plain.index(word)
    style = text.style if not isinstance(text.style, str) else None
    for span in text.spans:
        if span.start <= at < span.end and not isinstance(span.style, str):
            style = span.style if style is None else style + span.style
    return style


async def test_it_shows_the_shown_bindings_with_their_key_displays_and_the_palette_on_the_right():
    app = FooterApp()
    async with app.run_test(size=(120, 10)) as pilot:
        footer = await started(pilot, app)
        assert app.focused.id == "left"
        assert footer.keys() == [("a", "Left thing", "thing"), ("^s", "Save", "save"), ("d", "Delete", "delete"),
                                 ("x", "Secret", "secret"), ("m", "[b]x[/b]", "markup"), PALETTE]
        line = footer.drawn.plain
        assert line.startswith(" a Left thing  ^s Save  d Delete ")
        assert line.endswith("▏^p Commands ") and cell_len(line) == 120
        assert "Hidden" not in line
        assert footer.region.bottom == app.size.height and footer.region.height == 1
        assert style_of(footer, "^s").bold  # keys stand out without colour too (NO_COLOR)


async def test_a_disabled_binding_is_dimmed_and_a_hidden_one_goes():
    app = FooterApp()
    async with app.run_test(size=(120, 10)) as pilot:
        footer = await started(pilot, app)
        assert not style_of(footer, "Delete").dim
        app.can_delete = False
        app.show_secret = False
        app.refresh_bindings()
        assert await until(pilot, lambda: "Secret" not in descriptions(footer))
        assert "Delete" in descriptions(footer)
        assert style_of(footer, "Delete").dim and style_of(footer, " d ").dim
        assert not style_of(footer, "Save").dim
        await pilot.click(KeyFooter, offset=(footer.drawn.plain.index("Delete"), 0))
        await pilot.click(KeyFooter, offset=(footer.drawn.plain.index("Save"), 0))
        assert await until(pilot, lambda: app.ran == ["save"])  # the disabled key ran nothing


async def test_it_follows_focus_to_a_widget_with_other_keys():
    app = FooterApp()
    async with app.run_test(size=(120, 10)) as pilot:
        footer = await started(pilot, app)
        assert "Left thing" in descriptions(footer)
        await pilot.press("tab")
        assert await until(pilot, lambda: "Right thing" in descriptions(footer))
        assert "Left thing" not in descriptions(footer)
        assert footer.drawn.plain.startswith(" b Right thing ")


async def test_a_burst_of_changes_is_one_redraw_and_an_identical_line_none(monkeypatch):
    # Longer than the real 0.02 s, so that a busy machine cannot split the burst: what is tested is that
    # changes inside the settle delay make one redraw.
    monkeypatch.setattr(key_footer, "SETTLE_SECONDS", 0.3)
    app = FooterApp()
    async with app.run_test(size=(120, 10)) as pilot:
        footer = await started(pilot, app)
        settles, redraws = footer.settles, footer.redraws
        for _ in range(5):  # five changes in a row, the last leaving Delete disabled
            app.can_delete = not app.can_delete
            app.refresh_bindings()
            await pilot.pause()
        left, right = app.query_one("#left"), app.query_one("#right")
        right.focus()
        await pilot.pause()
        left.focus()
        assert await until(pilot, lambda: footer.settles > settles)
        assert footer.settles == settles + 1 and footer.redraws == redraws + 1
        assert style_of(footer, "Delete").dim

        # Bindings that changed back and forth, or not at all: the same line, so no redraw.
        settles, redraws = footer.settles, footer.redraws
        right.focus()
        await pilot.pause()
        left.focus()
        app.refresh_bindings()
        assert await until(pilot, lambda: footer.settles > settles)
        assert footer.redraws == redraws


async def test_clicking_a_key_runs_its_action_on_the_node_that_binds_it():
    app = FooterApp()
    async with app.run_test(size=(120, 10)) as pilot:
        footer = await started(pilot, app)
        line = footer.drawn.plain
        await pilot.click(KeyFooter, offset=(line.index("Save") + 1, 0))
        assert await until(pilot, lambda: app.ran == ["save"])
        await pilot.click(KeyFooter, offset=(line.index(" a ") + 1, 0))  # on the key itself
        assert await until(pilot, lambda: app.query_one("#left").ran == ["left"])
        await pilot.click(KeyFooter, offset=(line.index("[b]x[/b]"), 0))
        assert await until(pilot, lambda: app.ran == ["save", "markup"])
        await pilot.click(KeyFooter, offset=(line.index("Commands"), 0))
        assert await until(pilot, lambda: isinstance(app.screen, CommandPalette))


async def test_hovering_a_key_shows_its_tooltip():
    app = FooterApp()
    async with app.run_test(size=(120, 10)) as pilot:
        footer = await started(pilot, app)
        await pilot.hover(KeyFooter, offset=(footer.drawn.plain.index("Save"), 0))
        assert await until(pilot, lambda: footer.tooltip == "Save the record")
        assert footer.hovered is not None and footer.hovered.action == "save"
        assert style_of(footer, "Save").bgcolor != style_of(footer, "Delete").bgcolor  # highlighted
        await pilot.hover(KeyFooter, offset=(footer.drawn.plain.index("Delete"), 0))
        assert await until(pilot, lambda: footer.hovered is not None and footer.hovered.action == "delete")
        assert footer.tooltip is None  # no tooltip of its own: its description is on the line already


async def test_binding_text_is_shown_as_typed_never_as_markup():
    app = FooterApp()
    async with app.run_test(size=(120, 10)) as pilot:
        footer = await started(pilot, app)
        assert " m [b]x[/b] " in footer.drawn.plain
        assert ("m", "[b]x[/b]", "markup") in footer.keys()


async def test_a_narrow_footer_drops_whole_keys_and_keeps_the_palette_key():
    wide = FooterApp()
    async with wide.run_test(size=(120, 10)) as pilot:
        everything = (await started(pilot, wide)).keys()
    app = FooterApp()
    async with app.run_test(size=(40, 10)) as pilot:
        footer = await started(pilot, app)
        shown = footer.keys()
        line = footer.drawn.plain
        assert cell_len(line) == 40 and line.endswith("▏^p Commands ")
        assert shown[-1] == PALETTE and 0 < len(shown) - 1 < len(everything) - 1
        assert shown[:-1] == everything[:len(shown) - 1]  # the first keys, whole
        left = line[:line.index("▏")]
        assert left.rstrip() == "".join(f" {key} {description} " for key, description, _a in shown[:-1]).rstrip()
        # Wider again: the keys come back (a resize redraws from the same bindings).
        await pilot.resize_terminal(120, 10)
        assert await until(pilot, lambda: footer.keys() == everything)


MOVE = Binding.Group("Move")


class GroupApp(App):
    BINDINGS = [
        Binding("s", "save", "Save"),
        Binding("up", "move('up')", "Up", group=MOVE),
        Binding("down", "move('down')", "Down", group=MOVE),
        Binding("q", "quit", "Quit"),
        Binding("j", "move('down')", "Down"),  # a second key for an action shown already: the first wins
    ]

    def __init__(self) -> None:
        super().__init__()
        self.moved: list[str] = []

    def compose(self) -> ComposeResult:
        yield KeyFooter()

    def action_move(self, where: str) -> None:
        self.moved.append(where)


async def test_a_binding_group_shows_its_keys_then_its_description_once_and_each_key_clicks():
    app = GroupApp()
    async with app.run_test(size=(80, 10)) as pilot:
        footer = app.screen.query_one(KeyFooter)
        assert await until(pilot, lambda: footer.settles >= 1 and footer.keys())
        up, down = app.get_key_display(Binding("up", "")), app.get_key_display(Binding("down", ""))
        assert footer.drawn.plain.startswith(f" s Save  {up}  {down} Move  q Quit ")
        assert [action for _key, _description, action in footer.keys()][:4] == [
            "save", "move('up')", "move('down')", "quit"]
        assert "j" not in [key for key, _description, _action in footer.keys()]
        await pilot.click(KeyFooter, offset=(footer.drawn.plain.index(f" {down} ") + 1, 0))
        assert await until(pilot, lambda: app.moved == ["down"])


async def test_the_first_draw_has_the_keys_not_an_empty_line_filled_by_the_settle_timer(monkeypatch):
    # The first frame is one frame: a footer drawn empty and refilled a moment later sent its line
    # twice (~470 B at 80x24 over a slow link).
    monkeypatch.setattr(key_footer, "SETTLE_SECONDS", 60)
    app = FooterApp()
    async with app.run_test(size=(120, 10)) as pilot:
        footer = app.query_one(KeyFooter)
        assert await until(pilot, lambda: footer.drawn is not None)
        assert "Save" in footer.drawn.plain and "Delete" in footer.drawn.plain
        assert footer.settles == 0  # drawn so at once, not by the timer
