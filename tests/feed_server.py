"""A real HTTP server on 127.0.0.1 serving feeds, with faults injectable per path.

Usable by any test::

    with FeedServer() as server:
        server.ok("/rss.xml", rss_document([...]), etag='"v1"')
        server.error("/broken", 500)
        server.slow_headers("/hang", 2.0)
        url = server.url("/rss.xml")

Threaded (``http.server``), so a handler that sleeps never blocks another path.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # when set, a matching If-None-Match gets 304
    delay: float = 0.0  # seconds before the status line
    chunk_size: int = 0  # > 0: send the body in chunks of this size ...
    chunk_delay: float = 0.0  # ... sleeping this long between them
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    gzip: bool = False  # body is already gzip-compressed: send Content-Encoding: gzip
    location: str | None = None  # for 3xx


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):  # noqa: N802
        path = self.path.split("?", 1)[0]
        self.server.owner._record(Seen(path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.server.owner.routes.get(path)
        if route is None:
            route = Route(status=404, body=b"not found", content_type="text/plain")
        if route.delay:
            time.sleep(route.delay)
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.location:
                self.send_header("Location", route.location)
            if route.gzip:
                self.send_header("Content-Encoding", "gzip")
            for key, value in route.headers.items():
                self.send_header(key, value)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if route.chunk_size > 0:
                for start in range(0, len(route.body), route.chunk_size):
                    self.wfile.write(route.body[start:start + route.chunk_size])
                    self.wfile.flush()
                    if route.chunk_delay:
                        time.sleep(route.chunk_delay)
            else:
                self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should for oversized or slow bodies


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, owner: "FeedServer"):
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer (timeouts, size limits) is the point of
        # several tests; socketserver would print its traceback into the test's stderr.
        pass


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    def start(self) -> "FeedServer":
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="feed-server")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FeedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the server first"
        return self._server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # --- routes and faults ---

    def set(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def ok(self, path: str, body: bytes, *, content_type: str = "application/rss+xml; charset=utf-8",
           etag: str | None = None) -> None:
        self.set(path, Route(body=body, content_type=content_type, etag=etag))

    def error(self, path: str, status: int = 500, body: bytes = b"boom") -> None:
        self.set(path, Route(status=status, body=body, content_type="text/plain"))

    def retry_after(self, path: str, value: str, status: int = 429) -> None:
        self.set(path, Route(status=status, body=b"slow down", content_type="text/plain",
                             headers={"Retry-After": value}))

    def slow_headers(self, path: str, delay: float, body: bytes = b"") -> None:
        """Nothing at all for ``delay`` seconds: trips the client's read timeout."""
        self.set(path, Route(delay=delay, body=body))

    def slow_body(self, path: str, body: bytes, *, chunk_size: int = 64, chunk_delay: float = 0.2) -> None:
        """A body trickling in: each chunk within the read timeout, the whole far too slow."""
        self.set(path, Route(body=body, chunk_size=chunk_size, chunk_delay=chunk_delay))

    def oversized(self, path: str, size: int, *, send_length: bool = False) -> None:
        self.set(path, Route(body=b"<rss>" + b" " * size, chunk_size=65536, send_length=send_length))

    def gzip_bomb(self, path: str, decoded_size: int) -> None:
        """A small compressed body that decodes to ``decoded_size`` bytes."""
        self.set(path, Route(body=gzip_bomb(decoded_size), gzip=True))

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.set(path, Route(status=status, location=to, body=b""))

    def redirect_loop(self, path: str) -> None:
        self.redirect(path, path)


_BOMBS: dict[int, bytes] = {}


def gzip_bomb(decoded_size: int) -> bytes:
    if decoded_size not in _BOMBS:
        _BOMBS[decoded_size] = gzip.compress(b"\0" * decoded_size, compresslevel=9)
    return _BOMBS[decoded_size]


def closed_port_url(path: str = "/rss.xml") -> str:
    """A URL on 127.0.0.1 where nothing listens: connection refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


# --- documents ------------------------------------------------------------------------

_EPOCH = datetime(2025, 11, 25, 10, 0, tzinfo=timezone.utc)


def rss_document(items: list[dict], title: str = "Test feed") -> bytes:
    """RSS 2.0: each item dict may hold title, link, guid, description, published (datetime)."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
             f"<title>{escape(title)}</title><link>http://example.test/</link><description>t</description>"]
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "description"):
            if key in item:
                parts.append(f"<{key}>{escape(str(item[key]))}</{key}>")
        if "published" in item:
            parts.append(f"<pubDate>{format_datetime(item['published'], usegmt=True)}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def atom_document(items: list[dict], title: str = "Test atom") -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{escape(title)}</title><id>urn:test:{escape(title)}</id>",
             f"<updated>{_EPOCH.isoformat()}</updated>"]
    for item in items:
        parts.append("<entry>")
        parts.append(f"<title>{escape(str(item.get('title', '')))}</title>")
        if "guid" in item:
            parts.append(f"<id>{escape(str(item['guid']))}</id>")
        if "link" in item:
            parts.append(f'<link href="{escape(str(item["link"]), {chr(34): "&quot;"})}"/>')
        when = item.get("published", _EPOCH)
        parts.append(f"<updated>{when.isoformat()}</updated>")
        if "description" in item:
            parts.append(f"<summary>{escape(str(item['description']))}</summary>")
        parts.append("</entry>")
    parts.append("</feed>")
    return "".join(parts).encode("utf-8")


def json_feed_document(items: list[dict], title: str = "Test JSON feed", version: str = "1.1") -> bytes:
    import json

    out = []
    for item in items:
        entry: dict = {"id": str(item.get("guid", item.get("link", item.get("title", ""))))}
        if "title" in item:
            entry["title"] = item["title"]
        if "link" in item:
            entry["url"] = item["link"]
        entry["content_text" if version == "1.0" else "summary"] = item.get("description", "")
        if "published" in item:
            entry["date_published"] = item["published"].isoformat()
        out.append(entry)
    return json.dumps({"version": f"https://jsonfeed.org/version/{version}", "title": title,
                       "items": out}).encode("utf-8")
