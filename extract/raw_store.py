"""The raw page store: exact fetched bytes, content-addressed, plus the crawl state of every URL.

Layout under `settings.raw_dir` (reads `out_dir` through it):

    blobs/ab/abcdef….gz   the bytes of one page, gzip-compressed, named by sha256 of the bytes
    state.sqlite          one row per URL (`pages`) and one per crawl run (`runs`), WAL mode

Blobs are gzip (stdlib): `zstandard` is not installed here and pages are small HTML, where
gzip level 3 keeps most of level 6's ratio at a third of the CPU (measured ~170 µs per
24 KB page). A blob is written to a temp file and `os.replace`d, and verified against its
name when read, so a torn write reads as "missing" and is fetched again, never as bad bytes.
The temp name is the blob's own plus the writing process's and thread's ids: no `mkstemp`
(random names and an `O_EXCL` retry loop), yet two writers of the same bytes never share a
file. Blobs are written by `BlobStore`, which the crawl's fetch processes use on their own
(`extract.fetch_worker`); the state database is written by the crawl's process only.

State writes are batched: rows go into one open SQLite transaction, committed every
`COMMIT_EVERY` writes or `COMMIT_SECONDS`, whichever comes first, and by `flush`,
`finish_run` and `close` (a per-page autocommit was ~1/6 of a crawl's CPU). Reads on this
store see uncommitted rows; a crash loses at most that window, whose pages are fetched again.

Resuming: a crawl opens a run keyed by its sorted sources (`begin_run`). A URL finished in
that run carries its `run_id`; until `finish_run` is called, a crawl of the same sources
reuses the run, so URLs it already finished are replayed from the store, not refetched.
A finished run is never reused: the next crawl starts a new run and revalidates everything.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator, Mapping

from extract.rawpage import RawPage, utc_now
from medcodes.settings import Settings
from schemas.reasons import QuarantineEntry, Stage

GZIP_LEVEL = 3
COMMIT_EVERY = 200  # state writes per transaction, at most
COMMIT_SECONDS = 0.1  # age of the open transaction that forces a commit on the next write
# RawPage header saying the bytes came from the store, not the network: "revalidated" after
# a 304, "resumed" when replayed from an interrupted run. Callers count it via `from_cache`.
CACHE_HEADER = "x-medcodes-from-cache"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, final_url TEXT, status INTEGER, etag TEXT, last_modified TEXT,
    sha256 TEXT, content_type TEXT, charset TEXT, headers TEXT, fetched_at TEXT,
    checked_at TEXT, attempts INTEGER, last_error TEXT, last_reason TEXT, run_id TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, sources_key TEXT, started_at TEXT, finished_at TEXT
);
"""


@dataclass(frozen=True)
class UrlState:
    """What the store knows about one URL: its last good bytes and its last outcome."""

    url: str
    final_url: str | None
    status: int | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    content_type: str | None
    charset: str | None
    headers: dict[str, str]
    fetched_at: datetime | None
    checked_at: datetime | None
    attempts: int
    last_error: str | None
    last_reason: str | None
    run_id: str | None


def from_cache(page: RawPage) -> str | None:
    """`"revalidated"` or `"resumed"` when the page's bytes came from the store, else None."""
    return page.headers.get(CACHE_HEADER)


class BlobStore:
    """Content-addressed gzip files; safe for any number of threads and processes at once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._fanout: set[str] = set()  # sub-folders known to exist (mkdir is a syscall per page)

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.gz"

    def put(self, body: bytes) -> str:
        """Store bytes once under their sha256 (atomic: temp file, then `os.replace`)."""
        sha = hashlib.sha256(body).hexdigest()
        path = self._path(sha)
        if path.exists():
            return sha
        if path.parent.name not in self._fanout:
            path.parent.mkdir(exist_ok=True)
            self._fanout.add(path.parent.name)
        data = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha256: str) -> bytes | None:
        """The stored bytes, or None when missing or not matching their name (a torn write)."""
        try:
            body = gzip.decompress(self._path(sha256).read_bytes())
        except (OSError, EOFError, gzip.BadGzipFile):
            return None
        return body if hashlib.sha256(body).hexdigest() == sha256 else None


class RawStore:
    """Blobs on disk plus crawl state in SQLite; safe to call from one thread at a time per call."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.blobs = BlobStore(self.root / "blobs")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.root / "state.sqlite", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._pending = 0  # writes in the open transaction
        self._tx_started = 0.0

    @classmethod
    def for_settings(cls, settings: Settings) -> "RawStore":
        return cls(settings.raw_dir)

    def close(self) -> None:
        with self._lock:
            self._commit()
            self._db.close()

    def flush(self) -> None:
        """Commit the batched state writes now (a crawl calls this when it stops, however it stops)."""
        with self._lock:
            self._commit()

    def _commit(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._pending = 0

    def _write(self, sql: str, params: tuple) -> None:
        """One state write inside the batch transaction; commits when the batch is full or old."""
        with self._lock:
            if not self._db.in_transaction:
                self._db.execute("BEGIN")
                self._tx_started = time.monotonic()
            self._db.execute(sql, params)
            self._pending += 1
            if self._pending >= COMMIT_EVERY or time.monotonic() - self._tx_started >= COMMIT_SECONDS:
                self._commit()

    def get_blob(self, sha256: str) -> bytes | None:
        return self.blobs.get(sha256)

    # --- runs ---------------------------------------------------------------------------
    def begin_run(self, sources: list[str]) -> str:
        """The unfinished run for these sources, to resume, or a new one."""
        key = hashlib.sha256("\n".join(sorted(set(sources))).encode()).hexdigest()
        with self._lock:
            row = self._db.execute(
                "SELECT run_id FROM runs WHERE sources_key=? AND finished_at IS NULL ORDER BY started_at DESC LIMIT 1",
                (key,),
            ).fetchone()
            if row:
                return row[0]
            run_id = uuid.uuid4().hex
            self._db.execute("INSERT INTO runs VALUES (?,?,?,NULL)", (run_id, key, utc_now().isoformat()))
            return run_id

    def finish_run(self, run_id: str) -> None:
        with self._lock:
            self._db.execute("UPDATE runs SET finished_at=? WHERE run_id=?", (utc_now().isoformat(), run_id))
            self._commit()

    # --- url state ----------------------------------------------------------------------
    def state(self, url: str) -> UrlState | None:
        with self._lock:
            cur = self._db.execute("SELECT * FROM pages WHERE url=?", (url,))
            row = cur.fetchone()
        return _to_state(row) if row else None

    def save_page(self, page: RawPage, *, run_id: str, attempts: int, sha256: str | None = None) -> None:
        """Record a page fetched with status 200: blob first (unless `sha256` says it is stored), then its state row."""
        sha = sha256 or self.blobs.put(page.body)
        now = utc_now().isoformat()
        headers = {k: v for k, v in page.headers.items() if k != CACHE_HEADER}
        self._write(
            "INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,NULL,NULL,?)",
            (
                page.source_url, page.final_url, page.status, headers.get("etag"),
                headers.get("last-modified"), sha, page.content_type, page.charset,
                json.dumps(headers), page.fetched_at.isoformat(), now, attempts, run_id,
            ),
        )

    def mark_revalidated(self, url: str, *, run_id: str, attempts: int) -> None:
        """A 304: the stored bytes are still current."""
        self._write(
            "UPDATE pages SET checked_at=?, attempts=?, last_error=NULL, last_reason=NULL, run_id=? WHERE url=?",
            (utc_now().isoformat(), attempts, run_id, url),
        )

    def save_failure(self, entry: QuarantineEntry, *, status: int | None, run_id: str, attempts: int) -> None:
        """Record a final failure; earlier good bytes and validators stay for the next attempt."""
        self._write(
            "INSERT INTO pages (url, status, checked_at, attempts, last_error, last_reason, run_id, headers)"
            " VALUES (?,?,?,?,?,?,?,'{}') ON CONFLICT(url) DO UPDATE SET status=excluded.status,"
            " checked_at=excluded.checked_at, attempts=excluded.attempts, last_error=excluded.last_error,"
            " last_reason=excluded.last_reason, run_id=excluded.run_id",
            (entry.source_url, status, entry.seen_at.isoformat(), attempts, entry.detail, str(_value(entry.reason)), run_id),
        )

    # --- replay -------------------------------------------------------------------------
    def page_from_state(self, state: UrlState, cache_marker: str) -> RawPage | None:
        """The stored page for a URL (None if its bytes are gone), marked as from the store."""
        if state.sha256 is None or state.fetched_at is None:
            return None
        body = self.get_blob(state.sha256)
        if body is None:
            return None
        return RawPage(
            source_url=state.url,
            body=body,
            fetched_at=state.fetched_at,
            content_type=state.content_type,
            charset=state.charset,
            final_url=state.final_url,
            status=200,
            headers={**state.headers, CACHE_HEADER: cache_marker},
        )

    def entry_from_state(self, state: UrlState) -> QuarantineEntry:
        """The recorded final failure of a URL, as the quarantine entry it was."""
        return QuarantineEntry(
            source_url=state.url,
            stage=Stage.FETCH.value,
            reason=state.last_reason or "",
            detail=state.last_error or "",
            content_sha256=None,
            seen_at=state.checked_at or utc_now(),
        )

    def iter_pages(self) -> Iterator[RawPage]:
        """Every URL whose last outcome was good, with its stored bytes, in URL order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM pages WHERE last_reason IS NULL AND sha256 IS NOT NULL ORDER BY url"
            ).fetchall()
        for row in rows:
            page = self.page_from_state(_to_state(row), "stored")
            if page is not None:
                yield page


def _value(reason: object) -> object:
    return getattr(reason, "value", reason)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _to_state(row: tuple) -> UrlState:
    (url, final_url, status, etag, last_modified, sha, ctype, charset, headers,
     fetched_at, checked_at, attempts, last_error, last_reason, run_id) = row
    parsed: Mapping[str, str] = json.loads(headers) if headers else {}
    return UrlState(
        url, final_url, status, etag, last_modified, sha, ctype, charset, dict(parsed),
        _when(fetched_at), _when(checked_at), attempts or 0, last_error, last_reason, run_id,
    )
