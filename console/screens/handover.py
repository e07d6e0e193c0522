"""`H`: the shift handover brief; the outgoing watch officer signs (`s`), the incoming acknowledges (`k`)."""

from __future__ import annotations

from rich.markdown import Markdown
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static
from widgets.key_footer import KeyFooter

from console.dtg import format_dtg
from console.handover import build_brief, default_since, render_markdown
from console.messages import StoreChanged
from console.model.access import may_write
from console.screens.coalesce import coalesced
from console.model.watch import Handover


class HandoverScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="handover.back"),
        Binding("s", "sign", "Sign", id="handover.sign", tooltip="Sign this brief as the outgoing watch officer"),
        Binding("k", "acknowledge", "Acknowledge", id="handover.acknowledge",
                tooltip="Acknowledge the last signed handover as the incoming watch officer"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Greyed for a viewer (or anyone viewing as another): the store refuses them anyway.
        if action in ("sign", "acknowledge") and not may_write(self.app.actor):
            return None
        return True

    def __init__(self) -> None:
        super().__init__()
        self.brief: dict | None = None
        self.last: Handover | None = None
        self.since = None

    def compose(self) -> ComposeResult:
        yield Static("", id="handover-status")
        with VerticalScroll():
            yield Static("building the brief…", id="handover-brief")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload()

    def on_store_changed(self, _message: StoreChanged) -> None:
        self.reload()

    @coalesced
    async def reload(self) -> None:
        store = self.app.store
        last = await store.watch.last_handover()
        since = default_since(last.signed_at if last else None)
        brief = await build_brief(store, self.app.actor, since, daily_target=self.app.settings.daily_truck_target)
        # All at once, with what is shown: a reader of ``last`` never sees it ahead of the status line.
        self.last, self.since, self.brief = last, since, brief
        self.query_one("#handover-status", Static).update(self._status())
        # Drawn as a document (headings, lists, tables), not shown as its Markdown source: the brief
        # escapes outside text (console/handover.py), so a note's "[bold]" or "|" reads as written.
        self.query_one("#handover-brief", Static).update(Markdown(render_markdown(self.brief), hyperlinks=False))

    def _status(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.last is None:
            text.append("No handover signed yet. ", "bold")
        else:
            text.append(f"Last handover #{self.last.id} signed by {self.last.signed_by} at "
                        f"{format_dtg(self.last.signed_at)}; ")
            if self.last.acknowledged_by:
                text.append(f"acknowledged by {self.last.acknowledged_by}. ")
            else:
                text.append("AWAITING ACKNOWLEDGEMENT (k). ", "bold reverse")
        text.append("s: sign this brief")
        return text

    def action_sign(self) -> None:
        if self.brief is not None:
            self.app.run_store_action(self.app.store.watch.sign_handover(self.app.actor, self.since, self.brief),
                                      "handover signed")

    def action_acknowledge(self) -> None:
        if self.last is None:
            self.notify("there is no signed handover to acknowledge", severity="warning")
            return
        self.app.run_store_action(self.app.store.watch.acknowledge_handover(self.app.actor, self.last.id),
                                  f"handover #{self.last.id} acknowledged: you have the watch")
