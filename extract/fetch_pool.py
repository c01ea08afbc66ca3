"""The crawl's side of its fetch processes: start them, route each request, collect the answers.

Why processes: one event loop saturates one core long before a site does (httpx's request
path is most of a page's CPU), and a 2-core machine also runs the server or the parser.
The crawl process keeps every policy — robots, retries, redirects, Retry-After, rate and
concurrency limits, crawl state — and a worker (`extract.fetch_worker`) only performs one
GET per request, so politeness is decided in one place, exactly as configured.

Concurrency stays exact across processes: a host's `concurrency_per_host` request slots
(`extract.throttle.HostThrottle`) are dealt to the workers — slot `j` always goes to worker
`j % n` — and a worker's connection pool for that host holds exactly its share of slots.
So the connections open to a host, busy or idle, across all workers, never exceed the
limit. There are never more workers than slots: `min(processes, concurrency_per_host)`.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from extract.fetch_worker import Attempt, Request, frame, read_message
from medcodes.settings import Settings

_REPO = Path(__file__).resolve().parents[1]
_SERVER_MAIN = "from extract.fetch_worker import fork_server; fork_server()"


class _Forker:
    """This process's fork server (`extract.fetch_worker.fork_server`), started on first use.

    A fresh interpreter per worker costs ~0.5 s (imports) per crawl; multiprocessing's own
    fork server would re-run the caller's `__main__` in every worker. Ours is one plain
    subprocess for the life of this process; it ends when this process closes its socket.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._control: socket.socket | None = None

    def _launch(self) -> socket.socket:
        mine, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO), os.environ.get("PYTHONPATH")]))}
        with theirs:
            subprocess.Popen([sys.executable, "-c", _SERVER_MAIN, str(theirs.fileno())],
                             pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env)
        return mine

    def worker(self) -> socket.socket:
        """A new worker's socket (the worker reads its settings from it first)."""
        mine, theirs = socket.socketpair()
        with theirs, self._lock:
            for fresh in (False, True):  # a server that died (killed, say) is replaced once
                if self._control is None or fresh:
                    self._control = self._launch()
                try:
                    socket.send_fds(self._control, [b"w"], [theirs.fileno()])
                    return mine
                except OSError:
                    if fresh:
                        raise
        raise AssertionError("unreachable")


_FORKER = _Forker()


def worker_count(settings: Settings, processes: int) -> int:
    return max(1, min(processes, settings.concurrency_per_host))


def slot_share(slot: int, slots: int, workers: int) -> tuple[int, int]:
    """Worker of request slot `slot` of a host with `slots` slots, and that worker's pool size."""
    worker = slot % workers
    return worker, len(range(worker, slots, workers))


class _Process:
    """One fetch process and the answers it owes."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.pending: dict[int, asyncio.Future] = {}
        self.collector: asyncio.Task | None = None

    async def collect(self) -> None:
        """Hand each answer to its waiting request; if the process dies, fail what it owed."""
        try:
            while True:
                rid, result = await read_message(self.reader)
                future = self.pending.pop(rid, None)
                if future is None or future.done():  # its requester was cancelled
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)
        except (asyncio.IncompleteReadError, ConnectionError):
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(RuntimeError("a fetch process exited"))
            self.pending.clear()


class FetchPool:
    """`request` = one GET in a fetch process; started on first use, ended by `aclose`."""

    def __init__(self, settings: Settings, blob_dir: Path | None, processes: int) -> None:
        self.settings = settings
        self.blob_dir = blob_dir
        self.size = worker_count(settings, processes)
        self._procs: list[_Process] = []
        self._started: asyncio.Task | None = None
        self._ids = itertools.count()

    async def _start(self) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(self.size):
            reader, writer = await asyncio.open_connection(sock=await loop.run_in_executor(None, _FORKER.worker))
            writer.write(frame((self.settings, str(self.blob_dir) if self.blob_dir else "")))
            process = _Process(reader, writer)
            process.collector = asyncio.create_task(process.collect())
            self._procs.append(process)

    async def request(self, slot: int, slots: int, host: str, url: str, headers: dict[str, str],
                      max_bytes: int, pages_only: bool, store: bool) -> Attempt:
        """GET `url` in the worker that owns request slot `slot` of `host` (of `slots` slots)."""
        if self._started is None:
            self._started = asyncio.ensure_future(self._start())
        await asyncio.shield(self._started)
        index, pool = slot_share(slot, slots, self.size)
        process = self._procs[index]
        rid = next(self._ids)
        future = process.pending[rid] = asyncio.get_running_loop().create_future()
        process.writer.write(frame((rid, Request(url, host, pool, headers, max_bytes, pages_only,
                                                 store and self.blob_dir is not None))))
        try:
            await process.writer.drain()
            return await future
        finally:
            process.pending.pop(rid, None)

    async def aclose(self) -> None:
        """Close every worker's input; it then ends, closing its side, which ends its collector."""
        if self._started is not None:
            await asyncio.gather(self._started, return_exceptions=True)
        for process in self._procs:
            process.writer.close()
        for process in self._procs:
            if process.collector is not None:
                await asyncio.gather(process.collector, return_exceptions=True)
        self._procs.clear()
