"""`medcodes serve-sample`: a folder of saved pages served as a small, well-behaved code-reference site.

Reads no settings. Layout served (every page keeps its file name, so its code stays in the URL):

    /robots.txt                  Sitemap line + `Disallow: /private/`
    /sitemap_index.xml.gz        gzipped sitemap index → one sitemap per code system
    /sitemaps/<system>.xml       the pages of one system (`cpt_62310.txt` → system `cpt`)
    /pages/<relative path>       each page: `.html`/`.htm` as text/html, `.txt` as text/plain

Pages carry ETag and Last-Modified and answer conditional requests with 304, so a second
`medcodes run` against the site shows revalidation working. Files are read at start-up.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape

from extract.local import PAGE_SUFFIXES, walk_directory

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class _Doc:
    body: bytes
    content_type: str
    etag: str | None = None
    mtime: float | None = None


def _system(relative: Path) -> str:
    """The sitemap a page is listed in: its folder if nested, else its file-name prefix."""
    head = relative.parts[0] if len(relative.parts) > 1 else relative.stem.split("_", 1)[0]
    return "".join(c for c in head.lower() if c.isalnum() or c in "-_") or "pages"


def build_site(directory: Path, base: str) -> dict[str, _Doc]:
    """Every path the site answers, with its bytes, computed once."""
    docs: dict[str, _Doc] = {}
    systems: dict[str, list[str]] = {}
    for path in map(Path, walk_directory(directory)):
        suffix = path.suffix.lower()
        if suffix not in PAGE_SUFFIXES:
            continue
        relative = path.relative_to(directory)
        url_path = "/pages/" + quote(relative.as_posix())
        body = path.read_bytes()
        ctype = PAGE_SUFFIXES[suffix] + "; charset=utf-8"
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        docs[url_path] = _Doc(body, ctype, etag, path.stat().st_mtime)
        systems.setdefault(_system(relative), []).append(url_path)
    index = []
    for system, paths in sorted(systems.items()):
        urls = "".join(f"<url><loc>{escape(base + p)}</loc></url>" for p in sorted(paths))
        xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">{urls}</urlset>\n'
        docs[f"/sitemaps/{system}.xml"] = _Doc(xml.encode(), "application/xml")
        index.append(f"<sitemap><loc>{escape(base)}/sitemaps/{system}.xml</loc></sitemap>")
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">{"".join(index)}</sitemapindex>\n'
    docs["/sitemap_index.xml.gz"] = _Doc(gzip.compress(xml.encode(), mtime=0), "application/gzip")
    robots = f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap_index.xml.gz\n"
    docs["/robots.txt"] = _Doc(robots.encode(), "text/plain; charset=utf-8")
    return docs


def _not_modified(doc: _Doc, headers) -> bool:
    if doc.etag is None:
        return False
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        return doc.etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    since = headers.get("If-Modified-Since")
    try:
        return since is not None and doc.mtime is not None and int(doc.mtime) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False


def _handler(docs: dict[str, _Doc]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "medcodes-sample"

        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def _answer(self, send_body: bool) -> None:
            doc = docs.get(unquote(urlsplit(self.path).path)) or docs.get(urlsplit(self.path).path)
            if doc is None:
                status, doc = 404, _Doc(b"not found\n", "text/plain; charset=utf-8")
            else:
                status = 304 if _not_modified(doc, self.headers) else 200
            self.send_response(status)
            self.send_header("Content-Type", doc.content_type)
            if doc.etag:
                self.send_header("ETag", doc.etag)
                self.send_header("Last-Modified", formatdate(doc.mtime, usegmt=True))
            self.send_header("Content-Length", "0" if status == 304 else str(len(doc.body)))
            self.end_headers()
            if send_body and status != 304:
                self.wfile.write(doc.body)

    return Handler


class SampleSite:
    """A running sample site; `url` is its root, `stop()` shuts it down."""

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
        self.server.daemon_threads = True
        bound_host, bound_port = self.server.server_address[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self.server.RequestHandlerClass = _handler(build_site(Path(directory), self.url))
        self._thread = threading.Thread(target=self.server.serve_forever, name="sample-site", daemon=True)

    def start(self) -> "SampleSite":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve_sample(directory: Path, host: str = "127.0.0.1", port: int = 0) -> SampleSite:
    """Serve `directory` in a background thread (port 0: any free port); call `.stop()` when done."""
    return SampleSite(directory, host, port).start()


def run_sample_site(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve in the foreground until interrupted (Ctrl-C): the body of `medcodes serve-sample`."""
    site = SampleSite(directory, host, port)
    print(f"Serving {directory} at {site.url}/  (try: medcodes run {site.url}/)", flush=True)
    try:
        site.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        site.server.server_close()
