"""One movement or dual-use request, with its history (its journal rows, oldest first).

It stays current (``console.screens.detail_base``): a change to the record from any
console reloads it, and one gone says so. ``v`` changes the status from here; escape closes.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from console.model.aid import DualUseRequest, Movement
from console.model.journal import Entity
from console.dtg import format_dtg
from console.screens.detail_base import DetailModal
from widgets.aid.movement_history import MovementHistory


def movement_text(movement: Movement) -> Text:
    text = Text()
    text.append(f"Movement {movement.id}  ", "bold")
    text.append(f"{movement.planned_date.isoformat()} (Z)  {movement.crossing_code}  {movement.status.label}\n")
    text.append(f"{movement.organisation} · {movement.commodity.label} · {movement.load_type.label} · "
                f"trucks {movement.trucks if movement.trucks is not None else '-'} · "
                f"tonnes {movement.tonnes if movement.tonnes is not None else '-'} · "
                f"pallets {movement.pallets if movement.pallets is not None else '-'}\n")
    text.append(f"ref {movement.reference or '-'} · source {movement.figure_source.label} · "
                f"releasable {movement.releasability}")
    if movement.status_note:
        text.append(f"\nnote: {movement.status_note}")
    return text


def dual_use_text(request: DualUseRequest) -> Text:
    text = Text()
    text.append(f"Dual-use request {request.id}  ", "bold")
    text.append(f"{request.item} ({request.list_reference or 'no list ref'})  {request.status.label}\n")
    text.append(f"{request.quantity} for {request.organisation}"
                + (f" · movement {request.movement_id}" if request.movement_id else "") + "\n")
    if request.submitted_at:
        text.append(f"submitted {format_dtg(request.submitted_at)}")
    if request.decided_at:
        text.append(f" · decided {format_dtg(request.decided_at)}")
    if request.justification:
        text.append(f"\njustification: {request.justification}")
    if request.decision_note:
        text.append(f"\ndecision note: {request.decision_note}")
    return text


class AidDetail(DetailModal):
    """``AidDetail(Entity.MOVEMENT, id)`` or ``AidDetail(Entity.DUAL_USE, id)``."""
    WRITES = frozenset({"status"})

    BINDINGS = [
        Binding("escape", "close", "Close", id="aid_detail.close", tooltip="Back to the Aid flow pane"),
        Binding("v", "status", "Status", id="aid_detail.status",
                tooltip="Change the status (movement) or record the next step (dual-use request)"),
    ]

    DEFAULT_CSS = """
    AidDetail { align: center middle; }
    AidDetail > #detail-box { width: 100%; max-width: 120; height: 100%; border: round $accent;
                              background: $surface; padding: 0 1; }
    AidDetail #detail-header { height: auto; max-height: 8; }
    AidDetail .detail-title { text-style: bold; height: 1; margin-top: 1; }
    AidDetail MovementHistory { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box"):
            yield Static("loading…", id="detail-header", markup=False)
            yield Static("History (journal, oldest first)", classes="detail-title")
            yield MovementHistory(id="detail-history")

    def on_mount(self) -> None:
        self.query_one(MovementHistory).focus()

    async def fetch(self) -> Movement | DualUseRequest | None:
        aid, actor = self.app.store.aid, self.app.actor
        if self.entity is Entity.MOVEMENT:
            return await aid.movement(actor, self.record_id)
        return await aid.dual_use(actor, self.record_id)

    async def show_record(self, record: Movement | DualUseRequest) -> None:
        aid = self.app.store.aid
        if isinstance(record, Movement):
            entries, text = await aid.history(self.record_id), movement_text(record)
        else:
            entries, text = await aid.dual_use_history(self.record_id), dual_use_text(record)
        self.query_one("#detail-header", Static).update(text)
        self.query_one(MovementHistory).sync(entries)

    def show_gone(self) -> None:
        self.query_one("#detail-header", Static).update(Text(self.gone_text()))
        self.query_one(MovementHistory).sync([])

    def action_close(self) -> None:
        self.dismiss()

    def action_status(self) -> None:
        from console.screens.aid_forms import DualUseDecisionForm, MovementStatusForm

        if isinstance(self.record, Movement):
            self.app.push_screen(MovementStatusForm(self.record))
        elif isinstance(self.record, DualUseRequest):
            self.app.push_screen(DualUseDecisionForm(self.record))
