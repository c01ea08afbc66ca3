"""A real HTTP test site on 127.0.0.1 for the whole session, with bad-server endpoints and a request log.

Assertions about politeness are made from the server's own log (what it saw), not from the
crawler's account of itself.
"""

from __future__ import annotations

import gzip
import hashlib
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from medcodes.settings import Settings

LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
HUGE_BYTES = 20_000_000


def _html(title: str, body: str = "") -> bytes:
    filler = "<p>Procedure description text for the test page.</p>" * 20
    return f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>{body}{filler}</body></html>".encode()


def _urlset(base: str, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


CPT_PAGES = [f"/pages/cpt_{62310 + i}.html" for i in range(8)]
TEXT_PAGES = ["/pages/icd_a00.txt", "/pages/icd_a01.txt"]
LINKED = {
    "/linked/index.html": '<a href="a.html">a</a> <a href="/linked/b.html#part">b</a> <a href="a.html#top">a again</a>'
                          ' <a href="http://offsite.invalid/x.html">off</a> <a href="mailto:x@y">m</a> <a href="#self">s</a>',
    "/linked/a.html": '<a href="c.html">c</a>',
    "/linked/b.html": '<a href="index.html">home</a>',
    "/linked/c.html": '<a href="deep.html">deeper</a>',
    "/linked/deep.html": "",
}
# fault path -> the reason its URL must end with (None: a RawPage)
FAULTS: dict[str, str | None] = {
    "/fault/503-once": None,
    "/fault/429-seconds": None,
    "/fault/429-date": None,
    "/fault/429-too-long": "http_429",
    "/fault/always-503": "http_503",
    "/fault/slow": "timeout",
    "/fault/redirect-1": None,
    "/fault/offsite": "offsite_redirect",
    "/fault/loop-a": "too_many_redirects",
    "/fault/gone-404": "http_404",
    "/fault/gone-410": "http_410",
    "/fault/forbidden": "http_403",
    "/fault/huge": "too_large",
    "/fault/huge-declared": "too_large",
    "/fault/drop": "connection_dropped",
    "/fault/pdf": "not_html",
    "/private/secret.html": "robots_disallowed",
}


@dataclass
class Hit:
    path: str
    at: float
    headers: dict[str, str]
    status: int = 0


@dataclass
class SiteLog:
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    open_connections: int = 0
    max_connections: int = 0
    huge_completed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def mark(self) -> int:
        """Start a window: returns the log position and resets the connection high-water mark."""
        time.sleep(0.05)  # let the server finish closing the previous crawl's connections
        with self.lock:
            self.max_connections = self.open_connections
            return len(self.hits)

    def since(self, mark: int) -> list[Hit]:
        with self.lock:
            return list(self.hits[mark:])


class TestSite:
    def __init__(self) -> None:
        self.log = SiteLog()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.pages: dict[str, tuple[bytes, str]] = {}
        for path in CPT_PAGES + ["/pages/final.html", "/private/secret.html"]:
            self.pages[path] = (_html(path.rsplit("/", 1)[-1]), "text/html; charset=utf-8")
        for path in TEXT_PAGES:
            self.pages[path] = (f"ICD-10-CM {path}\nCholera\n".encode(), "text/plain")
        for path, links in LINKED.items():
            self.pages[path] = (_html(path, links), "text/html")
        b = self.base
        self.files: dict[str, tuple[bytes, str]] = {
            "/robots.txt": (
                f"User-agent: otherbot\nCrawl-delay: 30\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n"
                f"Sitemap: {b}/sitemap_index.xml.gz\n".encode(), "text/plain"),
            "/sitemap_index.xml.gz": (gzip.compress(
                f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{b}/sitemaps/pages.xml</loc></sitemap><sitemap><loc>{b}/sitemaps/text.xml</loc></sitemap>"
                f"<sitemap><loc>{b}/sitemaps/faults.xml</loc></sitemap></sitemapindex>".encode()), "application/gzip"),
            "/sitemaps/pages.xml": (_urlset(b, CPT_PAGES + ["/private/secret.html", CPT_PAGES[0] + "#dup"]), "application/xml"),
            # gzipped bytes without a .gz name: recognised by magic bytes
            "/sitemaps/text.xml": (gzip.compress(_urlset(b, TEXT_PAGES)), "application/xml"),
            "/sitemaps/faults.xml": (_urlset(b, [p for p in FAULTS if p != "/private/secret.html"]), "application/xml"),
            "/sitemaps/broken.xml": (_urlset(b, CPT_PAGES[:2])[:-20], "application/xml"),
        }
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base + path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(site: TestSite) -> type[BaseHTTPRequestHandler]:
    log = site.log

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with log.lock:
                log.open_connections += 1
                log.max_connections = max(log.max_connections, log.open_connections)

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                with log.lock:
                    log.open_connections -= 1

        def log_message(self, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes = b"", ctype: str = "text/html", **headers: str) -> None:
            self.hit.status = status
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            self.hit = Hit(path, time.time(), {k.lower(): v for k, v in self.headers.items()})
            with log.lock:
                log.hits.append(self.hit)
                n = log.counts[path] = log.counts.get(path, 0) + 1
            if path in site.pages:
                body, ctype = site.pages[path]
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self.send(304, b"", ctype, ETag=etag, Last_Modified=LAST_MODIFIED)
                return self.send(200, body, ctype, ETag=etag, Last_Modified=LAST_MODIFIED)
            if path in site.files:
                return self.send(200, *site.files[path])
            ok = _html(path)
            if path == "/fault/503-once":
                return self.send(503) if n == 1 else self.send(200, ok)
            if path == "/fault/429-seconds":
                return self.send(429, Retry_After="1") if n == 1 else self.send(200, ok)
            if path == "/fault/429-date":
                return self.send(429, Retry_After=formatdate(time.time() + 2, usegmt=True)) if n == 1 else self.send(200, ok)
            if path == "/fault/429-too-long":
                return self.send(429, Retry_After="3600")
            if path == "/fault/always-503":
                return self.send(503)
            if path == "/fault/slow":
                # Answer only after the client's read timeout. A client that gives up closes its
                # end, which ends the wait (and this connection) at once: a sleep would hold the
                # connection open here while the client's retry opens another, and the count of
                # open connections would exceed what the client really holds.
                if select.select([self.connection], [], [], 1.0)[0]:
                    self.close_connection = True
                    return
                try:
                    return self.send(200, ok)
                except OSError:  # the client gave up at its read timeout, as it should
                    self.close_connection = True
                    return
            redirects = {"/fault/redirect-1": "/fault/redirect-2", "/fault/redirect-2": site.url("/pages/final.html"),
                         "/fault/offsite": "http://offsite.invalid/page.html",
                         "/fault/loop-a": "/fault/loop-b", "/fault/loop-b": "/fault/loop-a"}
            if path in redirects:
                return self.send(302, Location=redirects[path])
            if path in ("/fault/gone-404", "/fault/gone-410", "/fault/forbidden"):
                return self.send({"/fault/gone-404": 404, "/fault/gone-410": 410}.get(path, 403))
            if path == "/fault/pdf":
                return self.send(200, b"%PDF-1.4 not a page", "application/pdf")
            if path == "/fault/huge-declared":
                self.hit.status = 200
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(HUGE_BYTES))
                self.end_headers()
                self.close_connection = True
                return
            if path == "/fault/huge":  # no Content-Length: only streaming can notice the size
                self.hit.status = 200
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    for _ in range(HUGE_BYTES // 65536):
                        self.wfile.write(b"x" * 65536)
                    log.huge_completed = True
                except OSError:
                    pass
                return
            if path == "/fault/drop":
                self.hit.status = 200
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "10000")
                self.end_headers()
                self.wfile.write(b"<html>" + b"x" * 94)
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.send(404, b"not found")

    return Handler


@pytest.fixture(scope="session")
def site() -> TestSite:
    server = TestSite()
    yield server
    server.stop()


@pytest.fixture
def make_settings(tmp_path: Path):
    """Settings factory: polite structure, test-sized numbers (small timeouts and backoffs)."""

    def build(out_dir: Path = tmp_path / "out", **overrides: object) -> Settings:
        return fast_settings(out_dir, **overrides)

    return build


def fast_settings(out_dir: Path, **overrides: object) -> Settings:
    values = dict(out_dir=out_dir, concurrency_per_host=3, requests_per_second=500.0, connect_timeout=1.0,
                  read_timeout=0.3, max_retries=2, backoff_base=0.02, retry_after_cap=5.0, max_page_bytes=100_000)
    values.update(overrides)
    return Settings(**values)
