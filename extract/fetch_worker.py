"""One fetch process: performs single HTTP requests with httpx and stores page bodies as blobs.

A crawl's event loop is single-threaded Python; on it, httpx's request path costs more CPU
than everything else a page needs, so the crawl hands the requests to a few of these
processes (`extract.fetch_pool`) and keeps every decision — robots, retries, redirects,
rate and concurrency limits, crawl state — to itself. A worker only answers "GET this URL
with these headers, at most this many bytes" with an `Attempt`; it never retries, follows
or throttles. When asked, it also hashes, gzips and writes the body as a content-addressed
blob (`extract.raw_store.BlobStore`) before answering, so the crawl process only records
the state row: the blob is on disk before any row names it.

Reads settings: `user_agent`, `connect_timeout`, `read_timeout`. The connection pool of a
host holds exactly as many connections as the crawl gave this worker request slots for it.

Wire format (a socket pair): each message is a 4-byte big-endian length and a pickle. The
first message to the worker is `(settings, blob_dir)` (`""`: store nothing); then requests `(id, Request)` and
answers `(id, Attempt)`. End of input ends the worker.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import socket
import struct
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from extract.raw_store import BlobStore
from medcodes.settings import Settings
from schemas.reasons import Reason

PAGE_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_LENGTH = struct.Struct(">I")
# Built once (loading CA certificates costs tens of ms): the fork server builds it, every
# worker inherits it, and every host's client shares it.
SSL_CONTEXT = httpx.create_ssl_context()


def split_content_type(value: str | None) -> tuple[str | None, str | None]:
    """`text/html; charset="UTF-8"` → (`text/html`, `UTF-8`)."""
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media.strip().lower() or None, charset


@dataclass(frozen=True)
class Request:
    """One GET: `pool` is the size of this worker's connection pool for `host`."""

    url: str
    host: str
    pool: int
    headers: dict[str, str]
    max_bytes: int
    pages_only: bool
    store: bool  # write a 200 body as a blob and answer its sha256


@dataclass
class Attempt:
    """The outcome of one request (or of the last of its retries)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    reason: str | None = None  # a Reason value when the request failed before a usable answer
    detail: str = ""
    tries: int = 0
    sha256: str | None = None  # set when the body was stored as a blob


def frame(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


async def read_message(reader: asyncio.StreamReader) -> object:
    """The next message; `asyncio.IncompleteReadError` at end of input."""
    (size,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    return pickle.loads(await reader.readexactly(size))


async def get(client: httpx.AsyncClient, req: Request) -> Attempt:
    """One request: status and headers, and the body unless it is not a page or too large."""
    try:
        async with client.stream("GET", req.url, headers=req.headers) as resp:
            got = {k.lower(): v for k, v in resp.headers.items()}
            if resp.status_code != 200:
                return Attempt(resp.status_code, got)
            media, _ = split_content_type(got.get("content-type"))
            if req.pages_only and media is not None and media not in PAGE_TYPES:
                return Attempt(200, got, reason=Reason.NOT_HTML.value, detail=f"content type {media}")
            declared = got.get("content-length", "")
            if declared.isdigit() and int(declared) > req.max_bytes:
                return Attempt(200, got, reason=Reason.TOO_LARGE.value, detail=f"Content-Length {declared} > {req.max_bytes}")
            chunks, size = [], 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > req.max_bytes:
                    return Attempt(200, got, reason=Reason.TOO_LARGE.value, detail=f"body passed {req.max_bytes} bytes")
                chunks.append(chunk)
            return Attempt(200, got, b"".join(chunks))
    except httpx.TimeoutException as exc:
        return Attempt(reason=Reason.TIMEOUT.value, detail=f"{type(exc).__name__}: {exc}")
    except httpx.ConnectError as exc:
        return Attempt(reason=Reason.CONNECT_ERROR.value, detail=str(exc))
    except httpx.RemoteProtocolError as exc:
        return Attempt(reason=Reason.CONNECTION_DROPPED.value, detail=str(exc))
    except httpx.TransportError as exc:
        return Attempt(reason=Reason.READ_ERROR.value, detail=f"{type(exc).__name__}: {exc}")


class Worker:
    """The requests of one fetch process: an httpx client per host, sized by the crawl."""

    def __init__(self, settings: Settings, blobs: BlobStore | None) -> None:
        self.settings = settings
        self.blobs = blobs
        self._clients: dict[str, httpx.AsyncClient] = {}

    def _client(self, req: Request) -> httpx.AsyncClient:
        client = self._clients.get(req.host)
        if client is None:
            s = self.settings
            client = self._clients[req.host] = httpx.AsyncClient(
                headers={"User-Agent": s.user_agent},
                timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=None),
                limits=httpx.Limits(max_connections=req.pool, max_keepalive_connections=req.pool),
                follow_redirects=False,
                verify=SSL_CONTEXT,
            )
        return client

    async def answer(self, rid: int, req: Request, writer: asyncio.StreamWriter) -> None:
        """Send the Attempt, or the exception (a full disk, a bug) for the crawl to raise."""
        try:
            result: Attempt | Exception = await get(self._client(req), req)
            if req.store and self.blobs is not None and result.status == 200 and result.reason is None:
                result.sha256 = self.blobs.put(result.body)
        except Exception as exc:  # noqa: BLE001 - handed over, raised in the crawl process
            result = RuntimeError(f"fetch process: {type(exc).__name__}: {exc}")
        writer.write(frame((rid, result)))
        await writer.drain()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()


async def serve(sock: socket.socket) -> None:
    """Answer requests until the crawl closes its end (or dies: the socket then reads as closed)."""
    reader, writer = await asyncio.open_connection(sock=sock)
    settings, blob_dir = await read_message(reader)
    worker = Worker(settings, BlobStore(Path(blob_dir)) if blob_dir else None)
    tasks: set[asyncio.Task] = set()
    try:
        while True:
            try:
                rid, req = await read_message(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            task = asyncio.create_task(worker.answer(rid, req, writer))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await worker.aclose()
        writer.close()


def fork_server() -> None:
    """Fork a worker for every socket received on the control socket (fd `argv[1]`), until it closes.

    Started once per crawling process (`extract.fetch_pool`): it has imported httpx and this
    package already and runs no thread, so a worker forked from it starts in milliseconds
    and inherits no lock another thread held.
    """
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # exited workers are reaped by the kernel
    control = socket.socket(fileno=int(sys.argv[1]))
    while True:
        message, fds, _, _ = socket.recv_fds(control, 1, 1)
        if not message:
            return
        if os.fork() == 0:
            control.close()
            code = 0
            try:
                asyncio.run(serve(socket.socket(fileno=fds[0])))
            except BaseException:  # noqa: BLE001 - a worker's last words, then its own exit
                traceback.print_exc()
                code = 1
            os._exit(code)
        os.close(fds[0])
