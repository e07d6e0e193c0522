"""A pane's summary strip repaints only the lines a change changed (over a slow link, a status change
from another console rewrote all three lines of the Incidents strip, ~500 B, for one changed count)."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from tests.pilot import until
from widgets.summary_lines import SummaryLines


class Counted(SummaryLines):
    def __init__(self) -> None:
        super().__init__("R 1  ? 2\n24h: Rafah 1\n420 incidents")
        self.drawn: list[int] = []

    def render_line(self, y: int):
        self.drawn.append(y)
        return super().render_line(y)


class Strip3(App):
    def compose(self) -> ComposeResult:
        yield Counted()


async def test_one_changed_line_of_three_repaints_that_line_alone_and_wraps_as_a_static_would():
    app = Strip3()
    async with app.run_test(size=(40, 8)) as pilot:
        strip = app.query_one(Counted)
        assert await until(pilot, lambda: strip.size.height == 3 and bool(strip.drawn))
        strip.drawn.clear()
        strip.update(Text("R 2  ? 1\n24h: Rafah 1\n420 incidents"), layout=False)
        assert await until(pilot, lambda: bool(strip.drawn))
        await pilot.pause()
        assert set(strip.drawn) == {0}
        assert strip.render_line(0).text.startswith("R 2  ? 1")
        strip.update("a summary much longer than the forty columns of this terminal, so it wraps")
        assert await until(pilot, lambda: strip.size.height == 2)
        assert "wraps" in strip.render_line(1).text
