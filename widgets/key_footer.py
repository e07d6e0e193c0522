"""The footer of key bindings: one line of text, redrawn once per burst of binding changes.

A widget of our own on Textual's public API only (``Screen.active_bindings``, the screen's
``bindings_updated_signal``, ``App.get_key_display``, ``App.run_action``): Textual's ``Footer``
is one widget per key built on private state, which a Textual release may rename.

It shows the screen's active bindings that have ``show=True``, in the order Textual gives
them, one entry per action (the first key bound to it wins): the key, then its description;
a disabled binding (``check_action`` returning None) is dimmed; bindings of one
``Binding.Group`` side by side show their keys and the group's description once. On the right,
after a thin bar, the command palette key (``▏^p Commands``) when the app has a palette. A line
wider than the footer loses whole keys from its end, never part of a word, and never the
palette key. Clicking a key runs its binding's action on the node that binds it.

Why the settle delay: the active bindings change several times in a row at start-up (screen
pushed, panes activated, table focused) and at every pane switch; the changes of one moment
are coalesced into one redraw, SETTLE_SECONDS after the last of them. And the footer is
refreshed only when the line it would draw differs from the one on screen: over a slow SSH
link every redraw is bytes, and most binding changes (focus moving between two tables with the
same keys) draw the same line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import groupby
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import ActiveBinding, Binding
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.timer import Timer

#: How long the footer waits for the bindings to settle before redrawing.
SETTLE_SECONDS = 0.02
#: Between the keys on the left and the command palette key on the right.
SEPARATOR = "▏"


@dataclass(frozen=True)
class FooterKeyInfo:
    """One key the footer offers: what it shows, and what a click runs."""

    key: str
    key_display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    node: DOMNode


@dataclass(frozen=True)
class FooterEntry:
    """What the footer draws as one piece: one key with its description, or a group's keys and its description."""

    keys: tuple[FooterKeyInfo, ...]
    description: str
    grouped: bool = False
    compact: bool = False


def footer_key(active: ActiveBinding, key_display: str, description: str | None = None) -> FooterKeyInfo:
    """One key; ``description`` for a key of a group (the group's). Its tooltip, as in Textual's footer: the
    binding's own, else (for a key shown without its description: in a group) the binding's description."""
    binding: Binding = active.binding
    return FooterKeyInfo(
        key=binding.key,
        key_display=key_display,
        description=binding.description if description is None else description,
        action=binding.action,
        enabled=bool(active.enabled),
        tooltip=active.tooltip or (binding.description if description is not None else ""),
        node=active.node,
    )


class KeyFooter(Widget, can_focus=False):
    """The screen's keys on its last line (see the module docstring)."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--disabled",
        "key-footer--hover",
        "key-footer--separator",
    }

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 100%;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--disabled {
            text-style: dim;
        }
        & > .key-footer--hover {
            background: $block-hover-background;
        }
        & > .key-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        #: Times the bindings settled (one per burst of changes).
        self.settles = 0
        #: Times the footer asked to be redrawn because what it shows changed (a public count for tests
        #: and benches: a burst of binding changes is one, a change that draws the same line none).
        self.redraws = 0
        self.entries: list[FooterEntry] = []
        self.palette: FooterKeyInfo | None = None
        self.hovered: FooterKeyInfo | None = None
        self.drawn: Text | None = None
        self.spans: list[tuple[int, int, FooterKeyInfo]] = []
        self.settle_timer: Timer | None = None
        self.subscribed_to: Screen | None = None

    # --- what is shown ------------------------------------------------------------------------

    def keys(self) -> list[tuple[str, str, str]]:
        """The keys drawn now, left to right, palette key last: (key display, description, action)."""
        return [(key.key_display, key.description, key.action) for _start, _end, key in self.spans]

    def read_bindings(self) -> None:
        """Take the screen's active bindings as they are now."""
        screen = self.screen
        app = self.app
        active = screen.active_bindings
        palette = None
        if app.ENABLE_COMMAND_PALETTE and (found := active.get(app.COMMAND_PALETTE_BINDING)) is not None:
            palette = footer_key(found, app.get_key_display(found.binding))
            if not palette.tooltip:
                palette = replace(palette, tooltip=found.binding.description)
        by_action: dict[str, ActiveBinding] = {}
        for found in active.values():
            if found.binding.show and found.binding.action not in by_action:
                if palette is not None and found.binding.key == palette.key:
                    continue  # drawn on the right
                by_action[found.binding.action] = found
        entries = []
        for group, side_by_side in groupby(by_action.values(), lambda found: found.binding.group):
            members = list(side_by_side)
            if group is not None and len(members) > 1:
                keys = tuple(footer_key(found, app.get_key_display(found.binding), group.description)
                             for found in members)
                entries.append(FooterEntry(keys, group.description, grouped=True, compact=group.compact))
            else:
                entries.extend(FooterEntry((footer_key(found, app.get_key_display(found.binding)),),
                                           found.binding.description) for found in members)
        self.entries = entries
        self.palette = palette
        if self.hovered is not None:
            self.hovered = next((key for key in self.all_keys() if key.key == self.hovered.key), None)

    def all_keys(self) -> list[FooterKeyInfo]:
        keys = [key for entry in self.entries for key in entry.keys]
        return keys + ([self.palette] if self.palette is not None else [])

    # --- drawing ------------------------------------------------------------------------------

    def line(self, width: int) -> tuple[Text, list[tuple[int, int, FooterKeyInfo]]]:
        """The line for ``width`` cells, and where each key is on it (start, end, key)."""
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        dim = self.get_component_rich_style("key-footer--disabled", partial=True)
        hover = Style(bgcolor=self.get_component_rich_style("key-footer--hover").bgcolor)
        separator_style = self.get_component_rich_style("key-footer--separator")

        def styled(key: FooterKeyInfo, style: Style) -> Style:
            if not key.enabled:
                style += dim
            if self.hovered is not None and key == self.hovered:
                style += hover
            return style

        pieces: list[tuple[str, Style | None, FooterKeyInfo | None]] = []  # text, style, the key it clicks
        palette: list[tuple[str, Style | None, FooterKeyInfo | None]] = []
        if self.palette is not None:
            key = self.palette
            palette = [(SEPARATOR, styled(key, separator_style), key),
                       (key.key_display, styled(key, key_style), key),
                       (f" {key.description} ", styled(key, description_style), key)]
        room = width - sum(cell_len(text) for text, _style, _key in palette)
        used = 0
        for entry in self.entries:
            drawn: list[tuple[str, Style | None, FooterKeyInfo | None]] = []
            if not entry.grouped:
                key = entry.keys[0]
                drawn.append((f" {key.key_display} ", styled(key, key_style), key))
                if entry.description:
                    drawn.append((f"{entry.description} ", styled(key, description_style), key))
            else:
                if entry.compact:
                    drawn.append((" ", None, None))
                drawn.extend((key.key_display if entry.compact else f" {key.key_display} ", styled(key, key_style),
                              key) for key in entry.keys)
                drawn.append((f" {entry.description} " if entry.compact else f"{entry.description} ",
                              description_style, None))
            size = sum(cell_len(text) for text, _style, _key in drawn)
            if used + size > room:
                break  # whole keys only; the palette key keeps its place
            pieces.extend(drawn)
            used += size
        if palette:
            pieces.append((" " * max(0, room - used), None, None))
            pieces.extend(palette)
        text = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, FooterKeyInfo]] = []
        at = 0
        for part, style, key in pieces:
            text.append(part, style)  # plain text: a binding's "[b]" is shown as typed, never as markup
            end = at + cell_len(part)
            if key is not None:
                if spans and spans[-1][2] is key and spans[-1][1] == at:
                    spans[-1] = (spans[-1][0], end, key)
                else:
                    spans.append((at, end, key))
            at = end
        text.stylize_before(self.rich_style)
        return text, spans

    def render(self) -> Text:
        if self.drawn is None:
            # The first draw (the first frame, held until the screen has settled): the keys as they
            # are now, not an empty line refilled a moment later when the settle timer fires
            # (a second frame of the footer, ~470 B at 80x24).
            self.read_bindings()
        self.drawn, self.spans = self.line(self.size.width)
        return self.drawn

    def update_line(self) -> None:
        """Redraw, if the line has changed (an identical line costs no bytes)."""
        text, self.spans = self.line(self.size.width)
        if self.drawn is None or text != self.drawn:
            self.drawn = text
            self.redraws += 1
            self.refresh()

    # --- following the bindings -----------------------------------------------------------------

    def on_mount(self) -> None:
        self.subscribed_to = self.screen
        self.subscribed_to.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.settle_timer = self.set_timer(SETTLE_SECONDS, self.settle)  # in case no change comes

    def on_unmount(self) -> None:
        if self.subscribed_to is not None:
            self.subscribed_to.bindings_updated_signal.unsubscribe(self)
            self.subscribed_to = None
        if self.settle_timer is not None:
            self.settle_timer.stop()
            self.settle_timer = None

    def bindings_changed(self, screen: Screen) -> None:
        # While the terminal has lost focus Textual blurs the focused widget; the keys shown stay as
        # they were (as Textual's Footer does) until focus comes back with its own change.
        if not self.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if self.settle_timer is not None:
            self.settle_timer.stop()
        self.settle_timer = self.set_timer(SETTLE_SECONDS, self.settle)

    def settle(self) -> None:
        self.settle_timer = None
        if not self.is_attached or (self.drawn is not None and not self.app.app_focus):
            return
        self.settles += 1
        self.read_bindings()
        self.update_line()

    # --- the mouse ------------------------------------------------------------------------------

    def key_at(self, event: events.MouseEvent) -> FooterKeyInfo | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        return next((key for start, end, key in self.spans if start <= offset.x < end), None)

    async def on_click(self, event: events.Click) -> None:
        key = self.key_at(event)
        if key is None:
            return
        event.stop()
        if not key.enabled:
            self.app.bell()
            return
        # The binding shown, on the node that binds it: as the key would (a focused input would take a
        # simulated "n" as typing instead).
        await self.app.run_action(key.action, key.node)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self.hover(self.key_at(event))

    def on_leave(self, event: events.Leave) -> None:
        self.hover(None)

    def hover(self, key: FooterKeyInfo | None) -> None:
        if key == self.hovered:
            return
        self.hovered = key
        self.tooltip = key.tooltip if key is not None and key.tooltip else None
        self.update_line()
