"""One writer per output directory: an exclusive, non-blocking `flock` on `DIR/.lock`.

The kernel drops the lock when its holder exits, even when killed, so a stale lock file
never blocks a later run. The holder's pid is written into the file for the error message.
Locks belong to an open file, so a process that already holds the lock must not take it
again through a second `output_lock` (it would be refused like any other run).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from medcodes.errors import OutputLocked

LOCK_NAME = ".lock"


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip() or "unknown"
    except OSError:
        return "unknown"


@contextmanager
def output_lock(out_dir: Path) -> Iterator[Path]:
    """Hold the output directory's lock for the `with` block; `OutputLocked` if another has it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputLocked(
                f"output directory {out_dir} is locked by another medcodes run (pid {_holder(path)}); "
                "wait for it to finish, or point --out elsewhere"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        os.fsync(fd)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the flock
