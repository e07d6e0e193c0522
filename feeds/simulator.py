"""A local feed server for the demo: three feeds that gain a plausible item every few seconds.

``FeedSimulator`` is a small asyncio HTTP/1.1 server on 127.0.0.1 (a free port)
serving ``/rss.xml``, ``/atom.xml`` and ``/feed.json``, each with an ETag so the
poller's conditional requests get 304 between new items. The headlines are
invented, in the style of the wires the floor follows. Stdlib only.

    simulator = FeedSimulator(interval=5)
    await simulator.start()
    simulator.urls  # {"rss": "http://127.0.0.1:PORT/rss.xml", ...}
    ...
    await simulator.stop()
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from console.dtg import utc_now

_PLACES = ("Kerem Shalom", "Rafah", "Zikim", "Kissufim", "Erez West", "Allenby")
_AREAS = ("Khan Younis", "Deir al-Balah", "Jabalia", "Beit Hanoun", "Rafah", "Shujaiyya", "Nuseirat",
          "al-Mawasi", "Zeitoun", "Beit Lahia")
_TEMPLATES = (
    ("{n} aid trucks cleared at {place} crossing", "Inspection lanes at {place} processed {n} trucks of food,"
     " medical and shelter supplies by midday, officials at the CMCC said."),
    ("{place} crossing closed for the day, UN agencies say", "Convoys were turned back; the reason given was"
     " a security assessment. Partners asked the CMCC for a reopening time."),
    ("Cease-fire largely holding despite reported fire near {area}", "Residents reported gunfire near the"
     " yellow line east of {area}; no casualties were confirmed."),
    ("ISF planning team meets partner delegations at the CMCC", "Delegations discussed mandate, command"
     " structure and funding for the International Stabilization Force."),
    ("Fuel delivery to {area} hospitals arrives via {place}", "{n} tankers reached the distribution point,"
     " enough for generators for several days, the health cluster said."),
    ("Drone strike reported in {area}; cease-fire monitors investigating", "Monitors at the CMCC logged the"
     " report and asked both parties for information."),
    ("Remains handover scheduled via Red Cross near {area}", "The ICRC is expected to coordinate the"
     " handover; timing remains unconfirmed."),
    ("Water network repairs begin in {area}", "Engineers started repairs on {n} km of pipes; winter"
     " rains are expected within days."),
    ("Dual-use list review: generators and pipes approved for {place}", "The working group approved {n}"
     " requests and asked for more information on others."),
    ("Flour shipment of {n} tonnes reaches bakeries in {area}", "Bakeries reopened with WFP support;"
     " queues were shorter than last week."),
    ("CMCC briefing: {n} partner nations now on the floor", "The civil-military coordination center"
     " in Kiryat Gat added liaison officers this week."),
    ("Winterisation kits distributed in {area}", "Tents, tarpaulins and blankets reached {n} families,"
     " according to the shelter cluster."),
)


@dataclass(frozen=True)
class SimItem:
    number: int
    title: str
    summary: str
    published: datetime

    @property
    def guid(self) -> str:
        return f"urn:cmcc-sim:{self.number}"

    @property
    def link(self) -> str:
        return f"https://news.example.org/cmcc-sim/{self.number}"


def make_item(number: int, published: datetime, rng: random.Random) -> SimItem:
    title, summary = rng.choice(_TEMPLATES)
    values = {"n": rng.randint(3, 180), "place": rng.choice(_PLACES), "area": rng.choice(_AREAS)}
    return SimItem(number, title.format(**values), summary.format(**values), published.replace(microsecond=0))


def render_rss(items: list[SimItem]) -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
             "<title>Simulated Gaza wire</title><link>https://news.example.org/</link>"
             "<description>Invented headlines for the cmcc demo</description>"]
    for item in items:
        parts.append(f"<item><title>{escape(item.title)}</title><link>{item.link}</link>"
                     f'<guid isPermaLink="false">{item.guid}</guid>'
                     f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>"
                     f"<description>{escape('<p>' + item.summary + '</p>')}</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def render_atom(items: list[SimItem]) -> bytes:
    updated = items[0].published if items else utc_now()
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
             "<title>Simulated partner updates</title><id>urn:cmcc-sim:atom</id>"
             f"<updated>{updated.isoformat()}</updated>"]
    for item in items:
        parts.append(f"<entry><title>{escape(item.title)}</title><id>{item.guid}:atom</id>"
                     f'<link href="{item.link}?via=atom"/><updated>{item.published.isoformat()}</updated>'
                     f"<summary>{escape(item.summary)}</summary></entry>")
    parts.append("</feed>")
    return "".join(parts).encode("utf-8")


def render_json(items: list[SimItem]) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Simulated social monitoring",
        "items": [{"id": f"{i.guid}:json", "url": f"{i.link}?via=json", "title": i.title,
                   "content_text": i.summary, "date_published": i.published.isoformat()} for i in items],
    }).encode("utf-8")


_RENDERERS = {
    "/rss.xml": (render_rss, "application/rss+xml; charset=utf-8"),
    "/atom.xml": (render_atom, "application/atom+xml; charset=utf-8"),
    "/feed.json": (render_json, "application/feed+json"),
}


class FeedSimulator:
    def __init__(self, interval: float = 5.0, *, seed: int | None = None, keep: int = 40, backlog: int = 5):
        self.interval = interval
        self.keep = keep
        self.rng = random.Random(seed)
        self._streams: dict[str, list[SimItem]] = {path: [] for path in _RENDERERS}
        self._counter = 0
        self._server: asyncio.base_events.Server | None = None
        self._ticker: asyncio.Task[None] | None = None
        now = utc_now()
        for back in range(backlog, 0, -1):
            for path in _RENDERERS:
                self._add(path, now - timedelta(minutes=7 * back))

    # --- items ---

    def _add(self, path: str, when: datetime) -> None:
        self._counter += 1
        stream = self._streams[path]
        stream.insert(0, make_item(self._counter, when, self.rng))
        del stream[self.keep:]

    def tick(self) -> None:
        """One new item on one feed (round robin by chance)."""
        self._add(self.rng.choice(list(_RENDERERS)), utc_now())

    def document(self, path: str) -> tuple[bytes, str, str]:
        render, content_type = _RENDERERS[path]
        body = render(self._streams[path])
        return body, content_type, '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

    # --- server ---

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the simulator first"
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def urls(self) -> dict[str, str]:
        return {"rss": self.url("/rss.xml"), "atom": self.url("/atom.xml"), "json": self.url("/feed.json")}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def start(self, port: int = 0) -> "FeedSimulator":
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self._ticker = asyncio.create_task(self._tick_forever(), name="feed-simulator-ticker")
        return self

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            await asyncio.gather(self._ticker, return_exceptions=True)
            self._ticker = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> "FeedSimulator":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval * self.rng.uniform(0.6, 1.4))
            self.tick()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                    return
                lines = request.decode("latin-1").split("\r\n")
                method, _, rest = lines[0].partition(" ")
                path = rest.split(" ", 1)[0].split("?", 1)[0]
                headers = {k.strip().lower(): v.strip()
                           for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                keep_alive = headers.get("connection", "").lower() != "close"
                if method not in ("GET", "HEAD"):
                    await self._respond(writer, 405, "Method Not Allowed", b"", "text/plain", {})
                elif path not in _RENDERERS:
                    await self._respond(writer, 404, "Not Found", b"not found\n", "text/plain", {})
                else:
                    body, content_type, etag = self.document(path)
                    if headers.get("if-none-match") == etag:
                        await self._respond(writer, 304, "Not Modified", b"", "", {"ETag": etag})
                    else:
                        await self._respond(writer, 200, "OK", b"" if method == "HEAD" else body, content_type,
                                            {"ETag": etag, "Cache-Control": "max-age=0"})
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()

    @staticmethod
    async def _respond(writer: asyncio.StreamWriter, status: int, reason: str, body: bytes, content_type: str,
                       extra: dict[str, str]) -> None:
        head = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", "Server: cmcc-simulator"]
        if content_type:
            head.append(f"Content-Type: {content_type}")
        head += [f"{k}: {v}" for k, v in extra.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()


def drop_inbox_file(folder: str | Path, *, count: int = 3, seed: int | None = None) -> Path:
    """Write a small ``headlines-*.json`` into the inbox atomically (a hidden .tmp, then a rename)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    now = utc_now().replace(microsecond=0)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    items = []
    for index in range(count):
        item = make_item(rng.randint(10_000, 99_999_999), now - timedelta(minutes=index), rng)
        items.append({"title": item.title, "summary": item.summary, "published": item.published.isoformat(),
                      "source": "partner liaison (inbox)", "guid": f"urn:cmcc-inbox:{stamp}:{index}:{rng.random()}"})
    target = folder / f"headlines-{stamp}-{rng.randint(0, 9999):04d}.json"
    temporary = folder / f".{target.name}.tmp"
    temporary.write_text(json.dumps({"kind": "headlines", "items": items}, indent=1), encoding="utf-8")
    os.replace(temporary, target)
    return target


