"""Poll feeds over HTTP (httpx) or from disk, and store what is new.

One ``poll_once(feed)`` = fetch (conditional, bounded, timed out) + parse (in a
thread) + ``headlines.add_many`` + a health record. ``run(stop_event)`` polls
every due feed concurrently, at most ``max_concurrency`` at a time, each in its
own task, so a slow feed never delays the others. No Textual here: the app
runs ``run`` in a worker and receives each ``PollResult`` through ``on_result``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

import httpx

from console.model.access import SYSTEM_ACTOR, Actor
from console.model.headlines import Feed, Headline
from console.dtg import utc_now
from console.sanitize import clean_line
from feeds import limits
from feeds.parse import FeedError, parse_document

if TYPE_CHECKING:
    from console.store.feeds import FeedRepository
    from console.store.headlines import HeadlineRepository

log = logging.getLogger(__name__)

USER_AGENT = "cmcc-feed-poller/0.1 (+watch floor; polite)"
ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
          " application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1")


@dataclass(frozen=True)
class Fetched:
    """What one fetch brought back (a body, or 'not modified')."""

    body: bytes
    content_type: str
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False
    status: int | None = None
    #: what this fetch (and its parse) noticed without failing: one short line each
    notes: tuple[str, ...] = ()


class FetchError(FeedError):
    """A fetch failed; ``retry_after`` is the server's Retry-After in seconds, if any."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class PollResult:
    feed: Feed
    ok: bool
    new_ids: tuple[int, ...] = ()
    headlines: tuple[Headline, ...] = ()
    not_modified: bool = False
    error: str = ""
    status: int | None = None
    next_poll_at: datetime | None = None
    at: datetime = field(default_factory=utc_now)
    notes: tuple[str, ...] = ()

    @property
    def new_items(self) -> int:
        return len(self.new_ids)


# --- small pure helpers ---------------------------------------------------------------


def is_local(url: str) -> bool:
    scheme = urlsplit(url).scheme.lower()
    return scheme == "file" or scheme == "" or (len(scheme) == 1 and os.name == "nt")


def local_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.scheme.lower() == "file":
        return Path(unquote(parts.path))
    return Path(url).expanduser()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), bounded; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or utc_now())).total_seconds()
    return max(0.0, min(seconds, float(limits.MAX_RETRY_AFTER_SECONDS)))


def backoff_seconds(interval: int, failures: int, rng: random.Random | None = None) -> float:
    """interval * 2**failures, capped (never below the interval itself), with +-20% jitter."""
    cap = max(float(limits.MAX_BACKOFF_SECONDS), float(interval))
    base = min(float(interval) * (2.0 ** min(failures, 30)), cap)
    uniform: Callable[[float, float], float] = rng.uniform if rng is not None else random.uniform
    jitter = uniform(1 - limits.BACKOFF_JITTER, 1 + limits.BACKOFF_JITTER)
    return base * jitter


def is_header_safe(value: str) -> bool:
    """A value that can go out in a request header: printable ASCII (HTTP/1.1 sends bytes)."""
    return value.isascii() and value.isprintable()


def request_headers(feed: Feed, environ: Mapping[str, str] | None = None,
                    notes: list[str] | None = None) -> dict[str, str]:
    """Conditional and configured headers. Values come from the environment; never logged.

    A stored validator that is not ASCII (a server sent raw bytes) cannot be sent back: it is
    left out, with a note in ``notes``, instead of failing every later request.
    """
    from console.store.feeds import parse_header_env

    variables: Mapping[str, str] = os.environ if environ is None else environ
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    for header, value, what in (("If-None-Match", feed.etag, "ETag"),
                                ("If-Modified-Since", feed.last_modified, "Last-Modified")):
        if not value:
            continue
        if is_header_safe(value):
            headers[header] = value
        elif notes is not None:
            notes.append(f"stored {what} is not ASCII: not sent back")
    try:
        pairs = parse_header_env(feed.header_env)
    except ValueError as error:
        raise FetchError(f"bad header setting: {error}") from None
    for header, env in pairs:
        setting = variables.get(env)
        if setting is None:
            raise FetchError(f"environment variable {env} (for header {header}) is not set")
        if not is_header_safe(setting):
            raise FetchError(f"environment variable {env} (for header {header}) is not printable ASCII,"
                             " which a header must be")
        headers[header] = setting
    return headers


def _content_type_for(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "application/feed+json"
    if suffix in (".xml", ".rss", ".atom"):
        return "application/xml"
    return ""


# --- fetching -------------------------------------------------------------------------


def read_local(url: str, max_bytes: int = limits.MAX_FEED_BYTES) -> Fetched:
    path = local_path(url)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError(f"file is larger than {limits.human_bytes(max_bytes)}")
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise FetchError(f"{path} is a directory") from None
    except PermissionError:
        raise FetchError(f"not allowed to read {path}") from None
    except OSError as error:
        raise FetchError(f"cannot read {path}: {error.strerror or error}") from None
    if len(body) > max_bytes:
        raise FetchError(f"file is larger than {limits.human_bytes(max_bytes)}")
    return Fetched(body=body, content_type=_content_type_for(path))


async def fetch_http(client: httpx.AsyncClient, feed: Feed, *, max_bytes: int = limits.MAX_FEED_BYTES,
                     headers: dict[str, str] | None = None) -> Fetched:
    """GET the feed, bounded in size; FetchError with a one-line reason on any failure."""
    headers = request_headers(feed) if headers is None else headers
    try:
        async with client.stream("GET", feed.url, headers=headers) as response:
            status = response.status_code
            notes: list[str] = []
            etag = _validator(response.headers.get("etag", feed.etag if status == 304 else ""), "ETag", notes)
            last_modified = _validator(
                response.headers.get("last-modified", feed.last_modified if status == 304 else ""),
                "Last-Modified", notes)
            if status == 304:
                return Fetched(b"", "", etag=etag, last_modified=last_modified, not_modified=True, status=status,
                               notes=tuple(notes))
            if status >= 400:
                retry_after = None
                if status in (429, 503):
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                reason = clean_line(response.reason_phrase, max_chars=60)
                message = f"HTTP {status} {reason}".strip()
                if retry_after is not None:
                    message += f" (retry after {int(retry_after)}s)"
                raise FetchError(message, status=status, retry_after=retry_after)
            if status >= 300:
                raise FetchError(f"HTTP {status}: redirect without a usable Location", status=status)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes and "content-encoding" not in response.headers:
                raise FetchError(f"body larger than {limits.human_bytes(max_bytes)}"
                                 f" (declared {limits.human_bytes(int(declared))})", status=status)
            chunks, total = [], 0
            # aiter_bytes yields *decoded* bytes, so a small gzip bomb is cut off here too.
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise FetchError(f"body larger than {limits.human_bytes(max_bytes)}", status=status)
                chunks.append(chunk)
            return Fetched(b"".join(chunks), response.headers.get("content-type", ""),
                           etag=etag, last_modified=last_modified, status=status, notes=tuple(notes))
    except FetchError:
        raise
    except httpx.TooManyRedirects:
        raise FetchError(f"too many redirects (more than {limits.MAX_REDIRECTS})") from None
    except httpx.ConnectTimeout:
        raise FetchError("timed out connecting") from None
    except httpx.ReadTimeout:
        raise FetchError("timed out waiting for the server (read timeout)") from None
    except httpx.TimeoutException:
        raise FetchError("timed out") from None
    except httpx.ConnectError as error:
        raise FetchError(_describe_connect_error(error)) from None
    except httpx.DecodingError:
        raise FetchError("body could not be decoded (bad compression)") from None
    except (httpx.RemoteProtocolError, httpx.ReadError) as error:
        raise FetchError(f"connection broken: {clean_line(error, max_chars=120) or type(error).__name__}") from None
    except httpx.InvalidURL as error:
        raise FetchError(f"invalid URL: {clean_line(error, max_chars=120)}") from None
    except httpx.HTTPError as error:
        raise FetchError(f"HTTP error: {clean_line(error, max_chars=120) or type(error).__name__}") from None


def _validator(value: str, what: str, notes: list[str]) -> str:
    """An ETag or Last-Modified worth keeping: one that can be sent back (ASCII); else '' and a note."""
    if not value or is_header_safe(value):
        return value
    notes.append(f"the server's {what} is not ASCII: dropped (polls are not conditional)")
    return ""


def _describe_connect_error(error: BaseException) -> str:
    """The root cause of a connect failure, in words (httpx says only 'All connection attempts failed')."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, socket.gaierror):
            return "host name not found"
        text = str(current).lower()
        if "refused" in text:
            return "connection refused"
        if "name or service not known" in text or "name resolution" in text or "nodename" in text:
            return "host name not found"
        if isinstance(current, OSError) and current.strerror:
            return f"cannot connect: {clean_line(current.strerror, max_chars=120)}"
        current = current.__cause__ or current.__context__
    return f"cannot connect: {clean_line(error, max_chars=120) or type(error).__name__}"


def default_client(*, connect_timeout: float = limits.CONNECT_TIMEOUT,
                   read_timeout: float = limits.READ_TIMEOUT) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
        follow_redirects=True,
        max_redirects=limits.MAX_REDIRECTS,
        headers={"User-Agent": USER_AGENT},
        trust_env=False,  # no surprise proxies from the environment on the watch floor
    )


async def fetch(feed: Feed, client: httpx.AsyncClient | None, *, max_bytes: int = limits.MAX_FEED_BYTES,
                total_timeout: float = limits.TOTAL_TIMEOUT) -> Fetched:
    """Fetch any feed: a path or file:// URL from disk, else HTTP(S) through ``client``."""
    if is_local(feed.url):
        return await asyncio.to_thread(read_local, feed.url, max_bytes)
    if client is None:
        raise FetchError("no HTTP client")
    notes: list[str] = []
    headers = request_headers(feed, notes=notes)
    try:
        async with asyncio.timeout(total_timeout):
            fetched = await fetch_http(client, feed, max_bytes=max_bytes, headers=headers)
        return replace(fetched, notes=(*notes, *fetched.notes)) if notes else fetched
    except TimeoutError:
        raise FetchError(f"timed out: the whole fetch took longer than {total_timeout:g}s") from None


async def fetch_and_parse(feed: Feed, client: httpx.AsyncClient | None, *,
                          max_bytes: int = limits.MAX_FEED_BYTES,
                          total_timeout: float = limits.TOTAL_TIMEOUT) -> tuple[Fetched, list[Headline]]:
    """The exact headlines a poll would store (used by ``cmcc feeds check``). Raises FeedError."""
    fetched = await fetch(feed, client, max_bytes=max_bytes, total_timeout=total_timeout)
    if fetched.not_modified:
        return fetched, []
    notes: list[str] = []
    headlines = await asyncio.to_thread(
        parse_document, fetched.body, fetched.content_type, feed.name,
        keywords=feed.keywords, feed_id=feed.id, notes=notes,
    )
    if notes:
        fetched = replace(fetched, notes=(*fetched.notes, *notes))
    return fetched, headlines


# --- the poller -----------------------------------------------------------------------


class _Repositories(Protocol):
    """What the poller needs of a store: its feeds and headlines."""

    @property
    def feeds(self) -> FeedRepository: ...

    @property
    def headlines(self) -> HeadlineRepository: ...


class FeedPoller:
    """Polls feeds into a store (anything with ``.feeds`` and ``.headlines`` repositories)."""

    def __init__(self, store: _Repositories, client_factory: Callable[[], httpx.AsyncClient] | None = None,
                 max_concurrency: int = 4, *, actor: Actor = SYSTEM_ACTOR,
                 connect_timeout: float = limits.CONNECT_TIMEOUT, read_timeout: float = limits.READ_TIMEOUT,
                 total_timeout: float = limits.TOTAL_TIMEOUT, max_bytes: int = limits.MAX_FEED_BYTES,
                 on_result: Callable[[PollResult], Awaitable[None] | None] | None = None,
                 tick_seconds: float = 1.0, rng: random.Random | None = None,
                 may_poll: Callable[[], Awaitable[bool]] | None = None):
        self.feeds = store.feeds
        self.headlines = store.headlines
        self.actor = actor
        self.client_factory = client_factory or (
            lambda: default_client(connect_timeout=connect_timeout, read_timeout=read_timeout))
        self.max_concurrency = max(1, int(max_concurrency))
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.on_result = on_result
        self.tick_seconds = tick_seconds
        self.rng = rng or random.Random()
        #: asked before each round of polls and before storing a poll (the lease holder's check):
        #: False, and nothing is fetched or stored
        self.may_poll = may_poll
        self._client: httpx.AsyncClient | None = None
        self._semaphore = asyncio.Semaphore(self.max_concurrency)
        self._in_flight: dict[int, asyncio.Task[PollResult]] = {}
        #: failures and next poll kept in memory too, for when the store cannot record them
        self._failures: dict[int | None, int] = {}
        self._not_before: dict[int | None, datetime] = {}

    async def __aenter__(self) -> "FeedPoller":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _get_client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = self.client_factory()
        return self._client

    async def poll_once(self, feed: Feed) -> PollResult:
        """Fetch, parse, store and record health for one feed. Never raises for feed faults."""
        now = utc_now()
        try:
            client = None if is_local(feed.url) else self._get_client()
            fetched, headlines = await fetch_and_parse(
                feed, client, max_bytes=self.max_bytes, total_timeout=self.total_timeout)
        except FeedError as error:
            return await self._failed(feed, str(error), getattr(error, "status", None),
                                      getattr(error, "retry_after", None))
        except Exception as error:  # noqa: BLE001 - one broken feed must not stop the poller
            log.exception("feed %s: unexpected error", feed.name)
            return await self._failed(feed, f"internal error: {type(error).__name__}", None, None)
        notes = tuple(dict.fromkeys(clean_line(n, max_chars=200) for n in fetched.notes))
        if self.may_poll is not None and not await self.may_poll():
            # Nothing stored, not even the poll's health: the process that polls now fetches it again.
            result = PollResult(feed=feed, ok=False, error="not stored: this process no longer polls the feeds")
            await self._report(result)
            return result
        new_ids: list[int] = []
        next_poll_at = utc_now() + timedelta(seconds=feed.interval_seconds)
        try:
            if headlines and feed.id is not None:
                new_ids = await self.headlines.add_many(self.actor, headlines, feed.id)
            if feed.id is not None:
                await self.feeds.record_success(
                    feed.id, etag=fetched.etag, last_modified=fetched.last_modified,
                    new_items=len(new_ids), next_poll_at=next_poll_at, note="; ".join(notes))
        except Exception as error:  # noqa: BLE001 - e.g. a full disk: one failed poll, backed off, not a dead task
            from console.model.errors import StoreError

            if not isinstance(error, StoreError):
                log.exception("feed %s: storing the poll failed", feed.name)
            what = "storing new headlines" if headlines and not new_ids else "recording the poll"
            return await self._failed(feed, f"{what} failed: {clean_line(error, max_chars=200)}", None, None)
        self._not_before.pop(feed.id, None)
        self._failures.pop(feed.id, None)
        result = PollResult(feed=feed, ok=True, new_ids=tuple(new_ids), headlines=tuple(headlines),
                            not_modified=fetched.not_modified, status=fetched.status,
                            next_poll_at=next_poll_at, at=now, notes=notes)
        await self._report(result)
        return result

    async def _failed(self, feed: Feed, error: str, status: int | None, retry_after: float | None) -> PollResult:
        # The store may be what failed (a full disk): count failures here too, so the backoff holds
        # even when recording it cannot be saved.
        failures = max(feed.consecutive_failures, self._failures.get(feed.id, 0)) + 1
        delay = backoff_seconds(feed.interval_seconds, failures, self.rng)
        if retry_after is not None:
            delay = max(delay, retry_after)  # never sooner than the server asked
        next_poll_at = utc_now() + timedelta(seconds=delay)
        error = clean_line(error, max_chars=300)
        log.info("feed %s failed: %s (next poll in %ds)", feed.name, error, int(delay))
        if feed.id is not None:
            try:
                await self.feeds.record_failure(feed.id, error=error, next_poll_at=next_poll_at)
            except Exception as store_error:  # noqa: BLE001 - the same full disk: back off in memory instead
                log.warning("feed %s: cannot record the failure: %s", feed.name, clean_line(store_error, max_chars=200))
                self._failures[feed.id] = failures
                self._not_before[feed.id] = next_poll_at
            else:
                self._failures.pop(feed.id, None)  # the store has it (and an operator may make the feed due)
                self._not_before.pop(feed.id, None)
        result = PollResult(feed=feed, ok=False, error=error, status=status, next_poll_at=next_poll_at)
        await self._report(result)
        return result

    async def _report(self, result: PollResult) -> None:
        if self.on_result is None:
            return
        try:
            outcome = self.on_result(result)
            if asyncio.iscoroutine(outcome):
                await outcome
        except Exception:  # noqa: BLE001 - a listener's bug must not stop polling
            log.exception("poll result callback failed")

    async def _guarded(self, feed: Feed) -> PollResult:
        async with self._semaphore:
            try:
                return await self.poll_once(feed)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - never "Task exception was never retrieved"
                log.exception("feed %s: poll failed", feed.name)
                return await self._failed(feed, f"internal error: {type(error).__name__}", None, None)

    def start_due(self, feeds: list[Feed]) -> list[asyncio.Task[PollResult]]:
        """Start a task for each feed not already being polled."""
        started = []
        now = utc_now()
        for feed in feeds:
            if feed.id is None or feed.id in self._in_flight:
                continue
            if self._not_before.get(feed.id, now) > now:
                continue  # backing off after a failure the store could not record
            task = asyncio.create_task(self._guarded(feed), name=f"poll:{feed.name}")
            self._in_flight[feed.id] = task
            task.add_done_callback(functools.partial(self._forget, feed.id))
            started.append(task)
        return started

    def _forget(self, feed_id: int, _task: asyncio.Task[PollResult]) -> None:
        self._in_flight.pop(feed_id, None)

    async def poll_due(self, now: datetime | None = None) -> list[PollResult]:
        """Poll every due feed concurrently and wait for all of them (for tests and one-shot runs)."""
        tasks = self.start_due(await self.feeds.due(now or utc_now()))
        return list(await asyncio.gather(*tasks)) if tasks else []

    async def run(self, stop_event: asyncio.Event) -> None:
        """Poll due feeds until ``stop_event`` is set; in-flight polls are cancelled on stop."""
        try:
            while not stop_event.is_set():
                try:
                    if self.may_poll is None or await self.may_poll():
                        self.start_due(await self.feeds.due(utc_now()))
                except Exception:  # noqa: BLE001 - e.g. the database busy for longer than the timeout
                    log.exception("cannot read due feeds")
                try:
                    await asyncio.wait_for(stop_event.wait(), timeout=self.tick_seconds)
                except TimeoutError:
                    pass
        finally:
            tasks = list(self._in_flight.values())
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            await self.aclose()
