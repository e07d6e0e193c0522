"""The Textual App: owns the store connection, the operator and the change feed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable, Iterable
from importlib import resources

from rich.errors import MarkupError
from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.notifications import SeverityLevel
from textual.signal import Signal

from console import collector, low_bandwidth, terminal
from console.config import Settings, save_setting
from console.dtg import utc_now
from console.first_frame import FirstFrame
from console.keymap import checked_keymap
from console.model.access import Actor, may_write
from console.model.errors import StoreError
from console.model.journal import Entity
from console.job_control import JobControl
from console.messages import ActorChanged, Announcement, StoreChanged
from console.notices import Notice, NoticeLog, pops_up
from console.screens.help import key_label
from console.screens.watch_floor import WatchFloor
from console.store import Store
from console.store.changes import ChangeWatcher
from console.store.database import exposure_warning
from console.sanitize import clean_line
from console.theming import Theming

#: How often the change watcher asks the database whether anything was committed (one cheap
#: ``PRAGMA data_version`` when nothing was): another console's change shows within this, plus its load.
CHANGE_POLL_SECONDS = 0.15
#: How long after the first frame the paused garbage collector runs again (console/collector.py).
COLLECTOR_AFTER_SECONDS = 1.0
#: Signals that end the console cleanly (see CmccApp._end_on).
ENDING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


class CmccApp(App):
    TITLE = "cmcc"
    CSS_PATH = str(resources.files("themes") / "app.tcss")
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("q", "quit_asking", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
        Binding("M", "notices", "Notices", show=False, id="app.notices",
                tooltip="What the console told you this shift, newest first"),
    ]

    def __init__(self, store: Store, actor: Actor, settings: Settings | None = None, notice: str = "") -> None:
        colourless = terminal.wants_no_colour(os.environ)
        # Under NO_COLOR Textual chooses its no-colour filter here, by the theme it has before ours is
        # applied: for a true-colour theme, one that turns the terminal's default colours black (black on
        # black). Native ANSI colours make it choose the one that leaves every cell in the default colours.
        super().__init__(ansi_color=True if colourless else None)
        self.store = store
        self.actor = actor
        self.settings = settings or Settings()
        self.notice = notice
        self.theming = Theming(self, ascii_only=self.settings.ascii, colourless=colourless,
                               remember=lambda name: save_setting("theme", name))
        if self.settings.low_bandwidth:
            self.animation_level = "none"
        #: The feed pollers + inbox watcher of this process (they poll only while it holds the lease).
        self.feed_runner = None
        self._signals_handled: list[int] = []
        self._change_watcher: ChangeWatcher | None = None
        self._feeds_closed = asyncio.Event()
        #: The config's [keys], as checked and applied (console/keymap.py); help shows keys by it.
        self.keys_in_force, self.keymap_problems = checked_keymap(dict(self.settings.keys), type(self))
        if self.keys_in_force:
            self.set_keymap(self.keys_in_force)
        self._clashes_told: set[str | None] = set()
        #: What the console told the operator (console/notices.py); ``noticed`` publishes the unseen count.
        self.notices = NoticeLog()
        self.noticed: Signal[int] = Signal(self, "noticed")
        #: Published after each write to the terminal (what moves a slow link's clock: widgets/clock_bar.py).
        self.written: Signal[None] = Signal(self, "written")

    @property
    def changes_seen(self) -> int:
        """The id of the newest journal row this console's change watcher has read (0 before it starts)."""
        return self._change_watcher.last_id if self._change_watcher is not None else 0

    @property
    def use_mouse(self) -> bool:
        """Mouse reporting on? (off in low-bandwidth mode: every mouse move would be a message.)"""
        return low_bandwidth.use_mouse(self.settings)

    def get_driver_class(self):
        # Called by App.__init__, before this instance has its signal: looked up at each write.
        return low_bandwidth.thrifty_driver(super().get_driver_class(), on_write=self._written)

    def _written(self) -> None:
        self.written.publish(None)

    def get_line_filters(self):
        return [*super().get_line_filters(), *self.theming.line_filters()]

    def on_descendant_focus(self, event) -> None:
        # A blinking cursor repaints its line twice a second for as long as a field has focus:
        # over a slow link that is most of the idle budget. A steady cursor shows the same.
        if getattr(event.widget, "cursor_blink", False):
            event.widget.cursor_blink = False

    def on_mount(self) -> None:
        floor = WatchFloor()
        # Released by the watch floor once loaded. The collector runs again a moment after the
        # frame is drawn: its one full pass holds the GIL ~40 ms, and the writer thread still
        # has that frame to send.
        self.first_frame = FirstFrame(self, when_drawn=self._after_first_frame)
        self.theming.start(self.settings.theme, low_bandwidth=self.settings.low_bandwidth)
        self.push_screen(floor)
        self._end_on(ENDING_SIGNALS)
        self._signals_handled += JobControl(self).install()
        self.watch_changes()
        if self.settings.poll_feeds:
            self.run_feeds()
        else:
            self._feeds_closed.set()

    def on_watch_floor_first_load_done(self, message: WatchFloor.FirstLoadDone) -> None:
        # Now, while the first frame is held: the notices' toasts are laid out with the floor and go
        # out in its one frame (shown earlier, their layout came after it and sent the floor twice).
        self._start_up_notices()
        self.first_frame.release_when_settled(message.floor)

    def _after_first_frame(self) -> None:
        self.set_timer(COLLECTOR_AFTER_SECONDS, collector.resume)

    def _start_up_notices(self) -> None:
        for problem in [*self.settings.problems, *self.keymap_problems]:
            self.notify(problem, severity="warning", timeout=10, markup=False)
        if exposed := exposure_warning(self.store.path):
            self.notify(exposed, severity="warning", timeout=15, markup=False)
        if self.notice:
            self.notify(self.notice, severity="warning", timeout=10, markup=False)

    @work(exclusive=True, group="changes", exit_on_error=False)
    async def watch_changes(self) -> None:
        """Post StoreChanged for every batch of journal rows any process commits."""
        watcher = await ChangeWatcher.open(self.store.path, await self.store.journal.last_id())
        self._change_watcher = watcher  # closed at exit too (on_unmount), before the event loop ends
        from console.witness import Throttled

        witness = Throttled(self.store.path)  # the newest row seen, outside the file (journal verify)
        try:
            while True:
                witness.saw(watcher.last_id, watcher.last_hash)
                try:
                    entries = await watcher.poll()
                except Exception as error:  # noqa: BLE001 - a busy or vanished file must not stop the feed
                    self.notify(f"change feed: {clean_line(error)}", severity="error", timeout=5,
                                markup=False)
                    await asyncio.sleep(2)
                    continue
                if entries and any(entry.entity is Entity.OPERATOR for entry in entries):
                    await self.refresh_actor()
                if entries:
                    # Every open screen hears of it: the watch floor, and any detail or
                    # log screen above it that shows records which may have changed.
                    for screen in self.screen_stack:
                        # Not Textual's blank default screen at the bottom: it is never drawn, so any
                        # message it handles makes it ask for a repaint of the whole terminal.
                        if type(screen) is not Screen:
                            screen.post_message(StoreChanged(entries))
                await asyncio.sleep(CHANGE_POLL_SECONDS)
        finally:
            witness.flush()
            await watcher.close()

    async def refresh_actor(self) -> None:
        """Take the operator's role and nation as the database has them now (an admin changed them).

        The store already judges every write by the database's values; this keeps what the screen
        shows and offers in step with them, and tells the operator once.
        """
        from console.identity import refreshed_actor

        before = self.actor
        after = await refreshed_actor(self.store, before)
        if after == before:
            return
        self.actor = after
        if after.role != before.role or after.nation != before.nation:
            self.notify(f"your access changed: now {after.label}", severity="warning", timeout=10, markup=False)
        for screen in self.screen_stack:
            if type(screen) is not Screen:
                screen.post_message(ActorChanged(before, after))

    @work(exclusive=True, group="feeds", exit_on_error=False)
    async def run_feeds(self) -> None:
        """Poll feeds and watch the inbox whenever this console holds the lease (console/runner.py)."""
        from console.runner import FeedRunner

        self._feeds_closed.clear()
        store = await Store.open(self.store.path)  # its own connection: polling never queues behind the UI
        try:
            self.feed_runner = FeedRunner(store, self.actor, self.settings)
            await self.feed_runner.run()
        finally:
            await store.close()
            self._feeds_closed.set()

    def run_store_action(self, action: Awaitable, done: str = "") -> None:
        """Run one store mutation in a worker; a refusal is a notification, never a crash."""
        self._run_store_action(action, done)

    @work(group="store-actions", exit_on_error=False)
    async def _run_store_action(self, action: Awaitable, done: str) -> None:
        try:
            await action
        except StoreError as error:
            self.notify(str(error), severity="error", timeout=8, markup=False)
        else:
            if done:
                self.notify(done, timeout=3, markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "log_entry" and not may_write(self.actor):  # greyed for a viewer; the store refuses it
            return None
        return True

    def handle_bindings_clash(self, clashed_bindings, node) -> None:
        # console/keymap.py leaves no clash in one place; Textual would still find one between a
        # remapped key and a binding it adds at run time. Named once each, never silently dropped.
        for binding in clashed_bindings:
            if binding.id not in self._clashes_told:
                self._clashes_told.add(binding.id)
                self.notify(f"[keys]: {binding.id or binding.action} lost its key {binding.key} to another binding",
                            severity="warning", timeout=10, markup=False)

    # --- notices ---------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True, urgent: bool = False,
               opens: Callable[[], object] | None = None) -> None:
        """Every notice goes to the list behind `M`; only what needs a decision pops up over the data
        (``console.notices.pops_up``), the rest is counted in the clock bar."""
        plain = str(message)
        if markup:
            with contextlib.suppress(MarkupError):  # listed as written; Textual reports the markup itself
                plain = Text.from_markup(plain).plain
        else:  # outside text, in the list and in the toast alike: no control codes or escapes
            message = clean_line(plain, max_chars=2000)
        title = clean_line(title)
        popped_up = pops_up(severity, urgent)
        self.notices.add(Notice(utc_now(), clean_line(plain, max_chars=2000), title, severity, opens),
                         popped_up=popped_up)
        if popped_up:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        else:
            self.noticed.publish(self.notices.unseen)

    def on_announcement(self, message: Announcement) -> None:
        self.notify(message.text, title=message.title, severity=message.severity, timeout=10, markup=False,
                    urgent=message.urgent, opens=message.opens)

    def action_notices(self) -> None:
        from console.screens.notices_screen import NoticesScreen

        if isinstance(self.screen, NoticesScreen):
            return
        self.notices.seen()
        self.noticed.publish(0)
        self.push_screen(NoticesScreen(self.notices.newest_first()))

    def action_help(self) -> None:
        from console.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_log_entry(self) -> None:
        from console.screens.text_prompt import TextPromptScreen

        def save(text: str | None) -> None:
            if text:
                self.run_store_action(self.store.watch.add_log_entry(
                    self.actor, text, self.settings.default_releasability), "logged")

        self.push_screen(TextPromptScreen("Watch log entry", "what happened, what was decided"), save)

    def action_watch_log(self) -> None:
        from console.screens.watch_log import WatchLogScreen

        if not isinstance(self.screen, WatchLogScreen):
            self.push_screen(WatchLogScreen())

    def action_handover(self) -> None:
        from console.screens.handover import HandoverScreen

        if not isinstance(self.screen, HandoverScreen):
            self.push_screen(HandoverScreen())

    def action_quit_asking(self) -> None:
        from console.screens.confirm import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmScreen("Quit cmcc?"), answer)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if binding.description and binding.action not in seen and active.enabled:
                seen.add(binding.action)
                yield SystemCommand(binding.description, f"key: {key_label(self, key)}",
                                    lambda node=active.node, action=binding.action: self._run(node, action))

    def _run(self, node, action: str) -> None:
        self.call_later(self.run_action, action, node)

    def _end_on(self, signals: tuple[int, ...]) -> None:
        """These signals end the console as `q` does: the lease released, the terminal restored.

        Python's default for SIGHUP (an SSH connection dropping) and SIGTERM (a service manager,
        a shutdown) kills the process on the spot: the lease stayed held until it lapsed and the
        terminal was left in the alternate screen.
        """
        loop = asyncio.get_running_loop()
        for signum in signals:
            try:
                loop.add_signal_handler(signum, self.exit)
            except (RuntimeError, ValueError):  # not in the main thread: signals are its host's to handle
                return
            self._signals_handled.append(signum)

    async def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in self._signals_handled:
            loop.remove_signal_handler(signum)
        if self.feed_runner is not None:
            self.feed_runner.stop()
            try:  # let it release the lease, so another process takes over at once
                await asyncio.wait_for(self._feeds_closed.wait(), timeout=3)
            except TimeoutError:
                pass
        if self._change_watcher is not None:
            await self._change_watcher.close()
        await self.store.close()
