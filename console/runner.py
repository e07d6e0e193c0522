"""Run the feed pollers and the inbox watcher in exactly one process: the lease holder.

``FeedRunner.run(stop_event)`` loops: take (or renew) the ``feed-poller``
lease; while it is ours, poll due feeds and watch the inbox folder; renew
every ``renew_seconds``; if the lease is lost (another process took it over
after ours lapsed) or cannot be renewed before it would lapse, stop polling
at once and go back to asking. On stop the lease is released, so the next
process need not wait for it to lapse.

Used by the App (in a worker) and by ``cmcc poller`` (headless). It only
writes to the store; consoles see the results through the journal. No Textual.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from console.model.access import SYSTEM_ACTOR, Actor
from console.model.leases import FEED_POLLER, short_holder
from console.store.leases import holder_id

log = logging.getLogger(__name__)

#: A holder that stops renewing loses the lease after LEASE_TTL; others ask every LEASE_RENEW,
#: so a dead holder (kill -9, a host gone) is replaced within TTL + RENEW: 5 s. A renewal is one
#: short write a second; a busy database may delay it for up to TTL - RENEW before polling stops.
LEASE_TTL_SECONDS = 4.0
LEASE_RENEW_SECONDS = 1.0
#: While the lease cannot even be asked for (a read-only file, a database locked past the retries),
#: asking again waits twice as long each time, up to this.
LEASE_BACKOFF_MAX_SECONDS = 60.0


def describe_poll(result) -> str:
    """One line for a PollResult (``cmcc poller`` prints these)."""
    name = result.feed.name
    if not result.ok:
        wait = ""
        if result.next_poll_at is not None:
            wait = f" (next try {result.next_poll_at.strftime('%H:%MZ')})"
        return f"feed {name}: failed: {result.error}{wait}"
    notes = "".join(f"; {note}" for note in getattr(result, "notes", ()))
    if result.not_modified:
        return f"feed {name}: not modified{notes}"
    return f"feed {name}: {result.new_items} new of {len(result.headlines)}{notes}"


class FeedRunner:
    """Pollers + inbox under the lease. ``on_event(line)`` hears what happens, one line each."""

    def __init__(self, store, actor: Actor, settings=None, inbox_folder: str | Path | None = None, *,
                 holder: str | None = None, ttl_seconds: float = LEASE_TTL_SECONDS,
                 renew_seconds: float = LEASE_RENEW_SECONDS, tick_seconds: float = 1.0,
                 on_event: Callable[[str], None] | None = None, watch_inbox: bool = True):
        self.store = store
        self.actor = actor
        self.settings = settings
        if inbox_folder is None and settings is not None:
            inbox_folder = settings.inbox_for(store.path)
        self.inbox_folder = Path(inbox_folder).expanduser() if inbox_folder else None
        self.holder = holder or holder_id(actor.login)
        self.ttl_seconds = ttl_seconds
        self.renew_seconds = renew_seconds
        self.tick_seconds = tick_seconds
        self.on_event = on_event
        self.watch_inbox = watch_inbox and self.inbox_folder is not None
        #: told to every console through the lease: the folder files must be dropped into
        self.watching = str(self.inbox_folder) if self.watch_inbox else ""
        # Ingestion is the system's doing, whoever's console happens to hold the lease;
        # the origin says which process it was.
        self.ingest_actor = replace(SYSTEM_ACTOR, origin=clean_origin(self.holder))
        self.polls = 0
        self.finished = asyncio.Event()
        self._stop: asyncio.Event | None = None
        self._last_other: str | None = None
        self._refusal: str | None = None  # why the lease could not be asked for, said once
        self._wait_seconds = renew_seconds
        self._ever_held = False
        #: the polling session's end (an event, set when polling here stops) and when the lease was
        #: last renewed, on the monotonic clock, which runs on while the process is stopped
        self._session: asyncio.Event | None = None
        self._renewed_at = float("-inf")

    @property
    def holding(self) -> bool:
        """Polling here: a session is open and the lease, renewed within its TTL, is surely ours."""
        return self._session is not None and not self._session.is_set() and self._renewed_recently(self.ttl_seconds)

    def _renewed_recently(self, seconds: float) -> bool:
        return time.monotonic() - self._renewed_at < seconds

    # --- events ---------------------------------------------------------------

    def _emit(self, line: str) -> None:
        from console.sanitize import clean_line

        line = clean_line(line, max_chars=1000)  # event lines quote outside text (names, errors): one clean line
        log.info("%s", line)
        if self.on_event is not None:
            try:
                self.on_event(line)
            except Exception:  # noqa: BLE001 - a listener's bug must not stop polling
                log.exception("runner event listener failed")

    def _on_result(self, result) -> None:
        self.polls += 1
        self._emit(describe_poll(result))

    def _on_outcome(self, outcome) -> None:
        self._emit(f"inbox {outcome.message}")

    # --- the loop ---------------------------------------------------------------

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()

    async def run(self, stop_event: asyncio.Event | None = None) -> None:
        """Until ``stop_event`` is set (or the task is cancelled): hold the lease and poll."""
        self._stop = stop_event or asyncio.Event()
        self.finished.clear()
        witness = asyncio.create_task(self._witness(), name="journal-witness")
        try:
            while not self._stop.is_set():
                if await self._acquire():
                    self._emit(f"holding the {FEED_POLLER} lease as {self.holder}: polling")
                    await self._poll_while_held()
                    if self._stop.is_set():
                        break
                await self._wait(self._wait_seconds)
        finally:
            witness.cancel()
            try:
                await asyncio.shield(self._release())
            except asyncio.CancelledError:
                pass
            self.finished.set()

    async def _witness(self, seconds: float = 1.0) -> None:
        """Once a second, remember the journal's newest row outside the file (``console/witness.py``)."""
        from console.witness import remember

        while True:
            try:
                row_id, row_hash = await self.store.journal.head()
                await asyncio.to_thread(remember, self.store.path, row_id, row_hash)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - a witness helps; it never stops polling
                log.warning("cannot remember the journal's head: %s", error)
            await asyncio.sleep(seconds)

    async def _acquire(self) -> bool:
        other = await self._other_holder()
        if other is not None and other != self.holder and self._refusal is None:
            held = False  # a read, not a write transaction a second from every console standing by
        else:
            try:
                held = await self.store.leases.try_acquire(FEED_POLLER, self.holder, self.ttl_seconds,
                                                           actor=self.actor, watching=self.watching)
            except Exception as error:  # noqa: BLE001 - a read-only or busy database: ask again, less often
                self._refused(str(error))
                return False
            if self._refusal is not None:
                self._emit(f"the database takes writes again: asking for the {FEED_POLLER} lease as usual")
                self._refusal, self._wait_seconds = None, self.renew_seconds
            if not held:
                other = await self._other_holder()
        if not held:
            if other != self._last_other:
                self._last_other = other
                if other:
                    self._emit(f"feeds are polled by {short_holder(other)}; standing by")
        else:
            self._last_other = None
        return held

    def _refused(self, reason: str) -> None:
        """Say why once (not every few seconds, for ever), and back off while it lasts."""
        if reason != self._refusal:
            self._emit(f"cannot ask for the {FEED_POLLER} lease: {reason}; not polling, asking again"
                       f" every {LEASE_BACKOFF_MAX_SECONDS:.0f} s at most")
            self._refusal = reason
        self._wait_seconds = min(self._wait_seconds * 2, LEASE_BACKOFF_MAX_SECONDS)

    async def _other_holder(self) -> str | None:
        try:
            return await self.store.leases.holder(FEED_POLLER)
        except Exception:  # noqa: BLE001
            return None

    async def _poll_while_held(self) -> None:
        from feeds.inbox import Inbox
        from feeds.poller import FeedPoller

        self._renewed_at = time.monotonic()
        self._ever_held = True
        self._session = session = asyncio.Event()
        poller = FeedPoller(self.store, actor=self.ingest_actor, on_result=self._on_result,
                            tick_seconds=self.tick_seconds, may_poll=self.still_ours)
        tasks = [asyncio.create_task(poller.run(session), name="feed-poller")]
        if self.watch_inbox:
            inbox = Inbox(self.inbox_folder, self.store, self.ingest_actor, on_outcome=self._on_outcome,
                          may_take=self.still_ours, folder_group=_group_of(self.store.path))
            tasks.append(asyncio.create_task(self._watch_inbox(inbox, session), name="inbox-watcher"))
        try:
            while not self._stop.is_set() and not session.is_set():
                await self._wait(self.renew_seconds)
                if self._stop.is_set() or session.is_set():
                    break
                renewed = await self._renew()
                if renewed is None and not self._renewed_recently(self.ttl_seconds - self.renew_seconds):
                    self._end_session("lease could not be renewed in time: polling stopped")
        finally:
            session.set()
            done, pending = await asyncio.wait(tasks, timeout=5)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    async def still_ours(self) -> bool:
        """Asked before each poll and each inbox import: may this process act as the lease holder now?

        Renewed within a renewal period or two: yes. Longer ago, the process was stopped (SIGSTOP,
        ``ctrl+z``, a suspended VM) or starved; on resume every timer that came due fires at once,
        before the renewal loop runs, so the lease is asked for again first: lost, and polling ends
        here without touching a feed or the database.
        """
        if self._session is None or self._session.is_set():
            return False
        if self._renewed_recently(2 * self.renew_seconds):
            return True
        return bool(await self._renew())

    async def _renew(self) -> bool | None:
        """Renew the lease: True if still ours, False if lost (the session ends), None if the store
        could not be asked (busy): the caller decides how long that may last."""
        try:
            held = await self.store.leases.try_acquire(FEED_POLLER, self.holder, self.ttl_seconds, actor=self.actor,
                                                       watching=self.watching)
        except Exception as error:  # noqa: BLE001 - busy: keep polling while the lease is surely ours
            log.warning("cannot renew the lease: %s", error)
            return None
        if held:
            self._renewed_at = time.monotonic()
            return True
        other = await self._other_holder()
        self._last_other = other
        self._end_session(f"lease lost to {short_holder(other) if other else 'another process'}: polling stopped")
        return False

    def _end_session(self, why: str) -> None:
        if self._session is not None and not self._session.is_set():
            self._session.set()
            self._emit(why)

    async def _watch_inbox(self, inbox, session: asyncio.Event) -> None:
        try:
            await inbox.watch(session)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. the folder cannot be created: feeds go on
            self._emit(f"inbox {self.inbox_folder}: not watched: {error}")

    async def _wait(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def _release(self) -> None:
        if not self._ever_held:
            return  # nothing to give back (and on a read-only file, nothing we could)
        try:
            if await self.store.leases.release(FEED_POLLER, self.holder, actor=self.actor):
                self._emit(f"released the {FEED_POLLER} lease")
        except Exception as error:  # noqa: BLE001 - closing down: it lapses by itself
            log.warning("cannot release the lease: %s", error)


def _group_of(path) -> int | None:
    """The database file's group: a new inbox is made that group's, as the database is."""
    try:
        return Path(path).stat().st_gid
    except (OSError, TypeError):
        return None


def clean_origin(holder: str) -> str:
    return f"poller {holder}"
